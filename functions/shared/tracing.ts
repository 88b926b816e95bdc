import type { Tracer } from '@aws-lambda-powertools/tracer';

/** X-Ray tracing as the handlers use it: AWS SDK clients captured (one subsegment per S3, DynamoDB
 * and SQS call), a subsegment per unit of work (an SQS record, an API request) and the user it was
 * for as an annotation, so a slow or failing photo is found by `annotation.userId = "..."`. */
export interface StageTracing {
  /** The client, patched to trace its calls. */
  capture<T>(client: T): T;
  /** Run `work` inside a subsegment named `name`; an error is recorded on it and rethrown. */
  span<R>(name: string, work: () => Promise<R>): Promise<R>;
  /** Index the current subsegment by `key` (X-Ray annotations are searchable, metadata is not). */
  annotate(key: string, value: string): void;
}

/** Outside Lambda (tests, `npm run local`, benches): nothing patched, nothing recorded, and the
 * tracer (and the X-Ray SDK under it) never imported. */
export const noTracing: StageTracing = {
  capture: (client) => client,
  span: (_name, work) => work(),
  annotate() {},
};

/** Powertools' tracer in a Lambda function with active tracing. It reads POWERTOOLS_SERVICE_NAME
 * and POWERTOOLS_TRACE_ENABLED / POWERTOOLS_TRACER_CAPTURE_* itself (infra/bundling.ts sets them). */
export async function lambdaTracing(service: string): Promise<StageTracing> {
  const { Tracer: PowertoolsTracer } = await import('@aws-lambda-powertools/tracer');
  return tracingWith(new PowertoolsTracer({ serviceName: service }));
}

export function tracingWith(tracer: Tracer): StageTracing {
  if (!tracer.isTracingEnabled()) return noTracing;
  return {
    capture: (client) => tracer.captureAWSv3Client(client),
    async span(name, work) {
      const parent = tracer.getSegment();
      if (!parent) return work();
      const sub = parent.addNewSubsegment(`## ${name}`);
      tracer.setSegment(sub);
      tracer.annotateColdStart(); // true on the process's first invocation only
      tracer.addServiceNameAnnotation();
      try {
        return await work();
      } catch (err) {
        sub.addError(err as Error);
        throw err;
      } finally {
        sub.close();
        tracer.setSegment(parent);
      }
    },
    annotate: (key, value) => tracer.putAnnotation(key, value),
  };
}

/** Whether this process should trace: inside Lambda, unless the stack turned tracing off. */
export const tracingWanted = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && env.POWERTOOLS_TRACE_ENABLED !== 'false';
