import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPublicRoute } from '#api/routes.ts';
import { ROUTES } from '../../../functions/api/routes.ts';
import { RankfaceStack } from '../../../infra/stack.ts';

// What the stack promises, read from the synthesised template (bundling skipped: assets are stubs).
describe('RankfaceStack template', () => {
  let t: Template;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    t = Template.fromStack(new RankfaceStack(app, 'Test'));
  });

  it('runs every function on nodejs22.x, x86_64', () => {
    // All but CDK's own bucket-notification helper (inline Python).
    const fns = Object.entries(t.findResources('AWS::Lambda::Function')).filter(
      ([id]) => !id.startsWith('BucketNotificationsHandler') && !id.startsWith('CustomCDKBucketDeployment'),
    );
    expect(fns.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiApiFn',
      'PipelineClusterFn',
      'PipelineDetectFn',
      'PipelineEmbedFn',
      'PipelineSchedulerFn',
    ]);
    for (const [, fn] of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['x86_64']);
    }
  });

  it('locks the bucket down and sends uploads/ events (only) to the detect queue', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT', 'POST'] })] },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const notifications = t.findResources('Custom::S3BucketNotifications');
    const configs = Object.values(notifications)[0]!.Properties.NotificationConfiguration.QueueConfigurations as {
      Events: string[];
      Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
    }[];
    expect(configs.map((c) => c.Events[0]).sort()).toEqual(['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
    for (const c of configs) expect(c.Filter.Key.FilterRules).toEqual([{ Name: 'prefix', Value: 'uploads/' }]);
  });

  it('gives every work queue a DLQ with an alarm, and consumes them with partial batch failures', () => {
    const queues = Object.values(t.findResources('AWS::SQS::Queue'));
    const withDlq = queues.filter((q) => q.Properties.RedrivePolicy);
    expect(withDlq).toHaveLength(3);
    for (const q of withDlq) expect(q.Properties.RedrivePolicy.maxReceiveCount).toBe(3);
    expect(Object.keys(t.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(3);
    const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(3);
    for (const m of mappings) expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('has an on-demand table with PITR and the sparse pending index, a schedule rule and a Cognito-guarded REST API', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'pending', Projection: { ProjectionType: 'KEYS_ONLY' } })],
    });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: Match.stringLikeRegexp('^rate\\(') });
    t.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod !== 'OPTIONS',
    );
    expect(methods.length).toBe(ROUTES.length); // one method per API route
    // Every route needs a Cognito token but the API's own description (GET /openapi.json).
    const guarded = methods.filter((m) => m.Properties.AuthorizationType === 'COGNITO_USER_POOLS');
    expect(guarded.length).toBe(ROUTES.filter((r) => !isPublicRoute(r)).length);
    expect(ROUTES.filter(isPublicRoute).map((r) => `${r.method} ${r.resource}`)).toEqual(['GET /openapi.json']);
  });

  it('grants no wildcard actions', () => {
    const actions: string[] = [];
    // CDK's own web-site deployment helper (s3-deployment, infra/web.ts) is not ours to scope.
    const ours = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, p]) => p);
    for (const policy of ours) {
      for (const s of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
        actions.push(...[s.Action].flat());
    }
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});
