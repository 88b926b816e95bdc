import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#config/aws.ts';
import { CLUSTER_LEASE_SECONDS, STAGE_QUEUES } from '../../../infra/queue-settings.ts';
import { RankfaceStack } from '../../../infra/stack.ts';

type Resource = { Properties: Record<string, unknown> };
const ORIGIN = 'https://photos.example.org';

// What operators rely on, read from the template: alarms that notify, capped concurrency, queues
// with the shared settings, log retention, Powertools' environment and the stack's CORS origin.
describe('the stack, operated', () => {
  let t: Template;
  let fns: [string, Resource][];
  beforeAll(() => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], uploadCorsOrigins: [ORIGIN], logRetentionDays: 14 },
    });
    t = Template.fromStack(new RankfaceStack(app, 'Ops'));
    fns = Object.entries(t.findResources('AWS::Lambda::Function')).filter(
      ([id]) => !id.startsWith('BucketNotificationsHandler') && !id.startsWith('CustomCDKBucketDeployment'),
    ) as [string, Resource][];
  });
  const fnEnv = (name: string): Record<string, unknown> => {
    const fn = fns.find(([id]) => id.includes(name));
    if (!fn) throw new Error(`no ${name}`);
    return (fn[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  };

  it('sends every dead-letter alarm to the SNS topic the stack outputs', () => {
    const topics = Object.keys(t.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
    t.hasOutput('AlarmTopicArn', { Value: { Ref: topics[0] } });
  });

  it('builds each stage queue from the shared settings and caps its consumers', () => {
    const queues = Object.values(t.findResources('AWS::SQS::Queue')).filter((q) => q.Properties.RedrivePolicy);
    expect(queues.map((q) => q.Properties.VisibilityTimeout).sort()).toEqual(
      Object.values(STAGE_QUEUES)
        .map((s) => s.visibilityTimeoutSeconds)
        .sort(),
    );
    for (const q of queues) expect(q.Properties.RedrivePolicy.maxReceiveCount).toBe(3);
    const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.map((m) => [m.Properties.BatchSize, m.Properties.ScalingConfig.MaximumConcurrency]).sort()).toEqual(
      Object.values(STAGE_QUEUES)
        .map((s) => [s.batchSize, s.maxConcurrency])
        .sort(),
    );
  });

  it('keeps the cluster lease longer than every retry of a job, in a scheduler apart from the worker', () => {
    expect(CLUSTER_LEASE_SECONDS).toBeGreaterThan(
      STAGE_QUEUES.cluster.visibilityTimeoutSeconds * STAGE_QUEUES.cluster.maxReceiveCount,
    );
    expect(fnEnv('SchedulerFn')[ENV.clusterLeaseSeconds]).toBe(String(CLUSTER_LEASE_SECONDS));
    const rule = Object.values(t.findResources('AWS::Events::Rule'))[0]!;
    const target = (rule.Properties.Targets as { Arn: { 'Fn::GetAtt': string[] } }[])[0]!.Arn['Fn::GetAtt'][0];
    expect(target).toContain('SchedulerFn');
  });

  it('gives every function a log group with the configured retention, tracing and Powertools settings', () => {
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(fns.length + 1); // one per function, and the large-user Fargate task's
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(14);
    for (const [id, fn] of fns) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(JSON.stringify(fn.Properties.LoggingConfig), id).toMatch(/"LogGroup":{"Ref":"\w*Logs/);
      const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(env.POWERTOOLS_SERVICE_NAME, id).toMatch(/^rankface-(api|detect|embed|cluster|scheduler)$/);
      expect(env.POWERTOOLS_METRICS_NAMESPACE, id).toBe('Rankface');
      expect(env.POWERTOOLS_LOG_LEVEL, id).toBe('INFO');
    }
  });

  it('lets the cluster worker announce people.changed on the default event bus', () => {
    expect(fnEnv('ClusterFn').RANKFACE_EVENT_BUS).toBe('default');
    const policies = JSON.stringify(
      t.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ClusterFnServiceRole') }] },
      }),
    );
    expect(policies).toMatch(
      /"Action":"events:PutEvents","Effect":"Allow","Resource":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":events:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":event-bus\/default"\]\]\}/,
    );
  });

  it('uses the stack CORS origin in the bucket, the API preflight and the API function (never *)', () => {
    expect(fnEnv('ApiFn')[ENV.allowedOrigins]).toBe(ORIGIN);
    t.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: [ORIGIN] })] },
    });
    const options = Object.values(t.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options.length).toBeGreaterThan(0);
    expect(JSON.stringify(options)).toContain(ORIGIN);
    expect(JSON.stringify(options)).not.toContain("'*'");
  });
});
