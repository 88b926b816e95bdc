import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RankfaceStack } from '../../../infra/stack.ts';

type Resource = { Properties: Record<string, unknown> };

/** Our functions (not CDK's own custom-resource providers), their tracing mode and environment. */
function functionsOf(context: Record<string, unknown>): [string, Resource][] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const t = Template.fromStack(new RankfaceStack(app, 'Traced'));
  return (Object.entries(t.findResources('AWS::Lambda::Function')) as [string, Resource][]).filter(
    ([, fn]) =>
      (fn.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME,
  );
}

const envOf = (fn: Resource): Record<string, string> =>
  (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;

// Powertools' tracer is on in every function by default: X-Ray active tracing and the tracer's
// switches in the environment (responses never recorded: user data, X-Ray's segment limit), and
// `-c tracing=false` turns both off together.
describe('X-Ray tracing in the stack', () => {
  it('traces every function of the app, recording errors but not responses', () => {
    const fns = functionsOf({});
    expect(fns.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
      ['ApiApiFn', 'PipelineClusterFn', 'PipelineDetectFn', 'PipelineEmbedFn', 'PipelineSchedulerFn'].sort(),
    );
    for (const [id, fn] of fns) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(envOf(fn).POWERTOOLS_TRACE_ENABLED, id).toBe('true');
      expect(envOf(fn).POWERTOOLS_TRACER_CAPTURE_RESPONSE, id).toBe('false');
      expect(envOf(fn).POWERTOOLS_TRACER_CAPTURE_ERROR, id).toBe('true');
    }
  });

  it('turns tracing and the tracer off together with -c tracing=false', () => {
    const fns = functionsOf({ tracing: false });
    expect(fns).toHaveLength(5);
    for (const [id, fn] of fns) {
      const mode = (fn.Properties.TracingConfig as { Mode?: string } | undefined)?.Mode ?? 'PassThrough';
      expect(mode, id).toBe('PassThrough');
      expect(envOf(fn).POWERTOOLS_TRACE_ENABLED, id).toBe('false');
    }
  });
});
