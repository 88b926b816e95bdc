import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { Api, API_THROTTLE } from './api.ts';
import type { FunctionSettings } from './bundling.ts';
import { LargeUserClustering } from './large-users.ts';
import { EVENT_BUS_ENV } from '../functions/cluster/people-events.ts';
import { Pipeline } from './pipeline.ts';
import { CLUSTER_LEASE_SECONDS } from './queue-settings.ts';
import { ROUTES } from '../functions/api/routes.ts';
import { ENV } from '../src/config/aws.ts';
import { Storage } from './storage.ts';
import { WebSite } from './web.ts';

const positiveInteger = (value: unknown): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`apiUserRequestsPerMinute ${String(value)} is not a positive integer`);
  return n;
};

/** Settings read from cdk.json's context (or `-c key=value`). */
function settingsOf(
  stack: Stack,
  site: WebSite,
): { corsOrigins: string[]; scheduleMinutes: number; userRequestsPerMinute: number; functions: FunctionSettings } {
  const ctx = (key: string): unknown => stack.node.tryGetContext(key);
  const retentionDays = Number(ctx('logRetentionDays') ?? 30);
  const retention = Object.values(logs.RetentionDays).find((d) => d === retentionDays);
  if (retention === undefined)
    throw new Error(
      `logRetentionDays ${retentionDays} is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)`,
    );
  return {
    // Browsers reach the API and the upload URLs only from the web app's origin (context overrides).
    corsOrigins: (ctx('uploadCorsOrigins') as string[] | undefined) ?? [site.origin],
    scheduleMinutes: Number(ctx('clusterScheduleMinutes') ?? 5),
    userRequestsPerMinute: positiveInteger(ctx('apiUserRequestsPerMinute') ?? API_THROTTLE.userRequestsPerMinute),
    functions: { logRetention: retention as logs.RetentionDays, tracing: ctx('tracing') !== false },
  };
}

/** The serverless app: storage (bucket, table), the pipeline (queues, detect, embed, scheduler,
 * cluster worker, alarms, the Fargate route for large users), the API (Cognito + REST) and the web
 * app. Env-agnostic: `cdk synth` needs no account and no network. */
export class RankfaceStack extends Stack {
  readonly storage: Storage;
  readonly pipeline: Pipeline;
  readonly api: Api;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const site = new WebSite(this, 'Web');
    const settings = settingsOf(this, site);
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'rankface alarms (dead-letter queues)',
      enforceSSL: true,
    });
    this.storage = new Storage(this, 'Storage', { corsOrigins: settings.corsOrigins });
    const { bucket, table } = this.storage;
    this.pipeline = new Pipeline(this, 'Pipeline', {
      bucket,
      table,
      idempotencyTable: this.storage.idempotencyTable,
      alarmTopic: this.alarmTopic,
      scheduleMinutes: settings.scheduleMinutes,
      functionSettings: settings.functions,
    });
    new LargeUserClustering(this, 'LargeUsers', {
      table,
      clusterFn: this.pipeline.clusterFn,
      logRetention: settings.functions.logRetention,
      environment: { [ENV.bucket]: bucket.bucketName, [ENV.table]: table.tableName, [EVENT_BUS_ENV]: 'default' },
    });
    this.api = new Api(this, 'Api', {
      bucket,
      table,
      corsOrigins: settings.corsOrigins,
      functionSettings: settings.functions,
      clusterQueue: this.pipeline.queues.cluster,
      clusterLeaseSeconds: CLUSTER_LEASE_SECONDS,
      userRequestsPerMinute: settings.userRequestsPerMinute,
    });
    const { restApi: api, userPool } = this.api;
    site.deployApp({
      api,
      userPool,
      routes: ROUTES.map((r) => `${r.method} ${r.resource}`),
      domainPrefix: (this.node.tryGetContext('webDomainPrefix') as string | undefined) ?? `rankface-${this.account}`,
    });

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.client.userPoolClientId });
    new CfnOutput(this, 'DetectQueueUrl', { value: this.pipeline.queues.detect.queueUrl });
    new CfnOutput(this, 'EmbedQueueUrl', {
      value: this.pipeline.queues.embed.queueUrl,
      description: 'For `rankface cloud migrate` (docs/people.md, model migration)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe an e-mail or pager to be told when a dead-letter queue fills',
    });
    for (const [stage, dlq] of Object.entries(this.pipeline.dlqs))
      new CfnOutput(this, `${stage[0]!.toUpperCase()}${stage.slice(1)}DlqUrl`, { value: dlq.queueUrl });
  }
}
