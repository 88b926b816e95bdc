import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_BUS_ENV } from '../functions/cluster/people-events.ts';
import { IDEMPOTENCY_TABLE_ENV } from '../functions/shared/idempotency-table.ts';
import { PENDING_INDEX } from '../src/adapters/aws/table-schema.ts';
import { CROP_PREFIX, ENV, UPLOAD_PREFIX } from '../src/config/aws.ts';
import { functionProps, type FunctionSettings } from './bundling.ts';
import { FUNCTION_MEMORY_MB, ML_FUNCTION_THREADS } from './function-sizes.ts';
import { DETECT_NOTIFICATIONS } from './notifications.ts';
import { CLUSTER_LEASE_SECONDS, DLQ_RETENTION_DAYS, STAGE_QUEUES, type Stage } from './queue-settings.ts';

const ML = { nodeModules: ['sharp', 'onnxruntime-node'], models: true } as const;
const CLUSTER = { nodeModules: ['usearch'], models: false } as const;
const PLAIN = { nodeModules: [], models: false } as const;

export interface PipelineProps {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;
  /** Idempotency records of detect, embed and the cluster worker (Powertools). */
  readonly idempotencyTable: dynamodb.ITable;
  /** Where the dead-letter alarms notify operators. */
  readonly alarmTopic: sns.ITopic;
  readonly scheduleMinutes: number;
  readonly functionSettings: FunctionSettings;
}

/** S3 uploads → (SQS) detect → (SQS) embed → DynamoDB; a schedule fans clustering out per user
 * through the cluster queue to the cluster worker. Each queue has a DLQ whose alarm notifies the
 * alarm topic; each consumer is capped by the event source's maxConcurrency. */
export class Pipeline extends Construct {
  readonly queues: Record<Stage, sqs.Queue>;
  readonly dlqs: Record<Stage, sqs.Queue>;
  readonly detectFn: NodejsFunction;
  readonly embedFn: NodejsFunction;
  readonly clusterFn: NodejsFunction;
  readonly schedulerFn: NodejsFunction;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { bucket, table } = props;
    this.dlqs = {} as Record<Stage, sqs.Queue>;
    this.queues = {} as Record<Stage, sqs.Queue>;
    for (const stage of ['detect', 'embed', 'cluster'] as const) this.queueWithDlq(stage, props.alarmTopic);

    for (const rule of DETECT_NOTIFICATIONS) {
      for (const e of rule.events) {
        const type = e === 'ObjectCreated' ? s3.EventType.OBJECT_CREATED : s3.EventType.OBJECT_REMOVED;
        bucket.addEventNotification(type, new s3n.SqsDestination(this.queues.detect), { prefix: rule.prefix });
      }
    }

    const common = { [ENV.bucket]: bucket.bucketName, [ENV.table]: table.tableName };
    const mlEnv = { RANKFACE_MODELS: '/var/task/models', RANKFACE_THREADS: String(ML_FUNCTION_THREADS) };
    const fn = (
      name: string,
      entry: string,
      kind: typeof ML | typeof CLUSTER | typeof PLAIN,
      memoryMb: number,
      timeout: Duration,
      env: Record<string, string>,
    ): NodejsFunction =>
      new NodejsFunction(
        this,
        name,
        functionProps(this, name, {
          entry,
          kind,
          memoryMb,
          timeout,
          environment: env,
          settings: props.functionSettings,
        }),
      );
    const timeoutOf = (stage: Stage): Duration => Duration.seconds(STAGE_QUEUES[stage].functionTimeoutSeconds);

    this.detectFn = fn('DetectFn', 'functions/detect/handler.ts', ML, FUNCTION_MEMORY_MB.detect, timeoutOf('detect'), {
      ...common,
      ...mlEnv,
      [ENV.embedQueueUrl]: this.queues.embed.queueUrl,
      [ENV.embedInline]: '1',
    });
    this.embedFn = fn('EmbedFn', 'functions/embed/handler.ts', ML, FUNCTION_MEMORY_MB.embed, timeoutOf('embed'), {
      ...common,
      ...mlEnv,
    });
    // people.changed per user per run, on the account's default bus (subscribers add rules).
    const bus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.clusterFn = fn(
      'ClusterFn',
      'functions/cluster/handler.ts',
      CLUSTER,
      FUNCTION_MEMORY_MB.cluster,
      timeoutOf('cluster'),
      { ...common, [EVENT_BUS_ENV]: bus.eventBusName },
    );
    bus.grantPutEventsTo(this.clusterFn);
    // The fan-out is its own small function: it only reads the pending index and sends messages,
    // and must not share the worker's 10-minute timeout and memory.
    this.schedulerFn = fn(
      'SchedulerFn',
      'functions/scheduler/handler.ts',
      PLAIN,
      FUNCTION_MEMORY_MB.clusterFanOut,
      Duration.seconds(60),
      {
        ...common,
        [ENV.clusterQueueUrl]: this.queues.cluster.queueUrl,
        [ENV.clusterLeaseSeconds]: String(CLUSTER_LEASE_SECONDS),
      },
    );

    this.consume(this.detectFn, 'detect', Duration.seconds(5));
    this.consume(this.embedFn, 'embed', Duration.seconds(5));
    this.consume(this.clusterFn, 'cluster');

    new events.Rule(this, 'ClusterSchedule', {
      description: 'Fan out clustering to users whose faces changed',
      schedule: events.Schedule.rate(Duration.minutes(props.scheduleMinutes)),
      targets: [new targets.LambdaFunction(this.schedulerFn, { retryAttempts: 2 })],
    });
    this.grant(bucket, table);
    for (const consumer of [this.detectFn, this.embedFn, this.clusterFn]) {
      consumer.addEnvironment(IDEMPOTENCY_TABLE_ENV, props.idempotencyTable.tableName);
      // What Powertools' DynamoDB persistence layer calls: a conditional put, an update on
      // success, a delete on failure, a get only when the put's condition fails.
      props.idempotencyTable.grant(
        consumer,
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
      );
    }
  }

  private queueWithDlq(stage: Stage, topic: sns.ITopic): void {
    const s = STAGE_QUEUES[stage];
    const name = stage[0]!.toUpperCase() + stage.slice(1);
    const dlq = new sqs.Queue(this, `${name}Dlq`, {
      retentionPeriod: Duration.days(DLQ_RETENTION_DAYS),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const alarm = new cloudwatch.Alarm(this, `${name}DlqAlarm`, {
      alarmDescription: `Messages in the ${stage} dead-letter queue: processing failed ${s.maxReceiveCount} times (inspect, fix, then redrive)`,
      metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(topic));
    this.dlqs[stage] = dlq;
    this.queues[stage] = new sqs.Queue(this, `${name}Queue`, {
      visibilityTimeout: Duration.seconds(s.visibilityTimeoutSeconds),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: dlq, maxReceiveCount: s.maxReceiveCount },
    });
  }

  private consume(fn: NodejsFunction, stage: Stage, maxBatchingWindow?: Duration): void {
    const s = STAGE_QUEUES[stage];
    fn.addEventSource(
      new SqsEventSource(this.queues[stage], {
        batchSize: s.batchSize,
        maxConcurrency: s.maxConcurrency,
        reportBatchItemFailures: true,
        ...(maxBatchingWindow ? { maxBatchingWindow } : {}),
      }),
    );
  }

  /** Least privilege: explicit actions on explicit prefixes, no wildcards. */
  private grant(bucket: s3.Bucket, table: dynamodb.Table): void {
    const s3Objects = (fn: lambda.IFunction, actions: string[], prefix: string): void => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }));
    };
    // Without s3:ListBucket, S3 answers a GET of a missing key with 403 (it will not reveal whether
    // the key exists), which the functions must treat as a failure and retry into the DLQ. With it,
    // a photo deleted before its event is processed is a 404, which detect skips.
    const listBucket = (fn: lambda.IFunction): void => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    };
    const tableAccess = (fn: lambda.IFunction, write: boolean): void => {
      const read = ['dynamodb:GetItem', 'dynamodb:Query'];
      const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: write ? [...read, ...writes] : read, resources: [table.tableArn] }),
      );
    };
    listBucket(this.detectFn);
    s3Objects(this.detectFn, ['s3:GetObject'], UPLOAD_PREFIX);
    s3Objects(this.detectFn, ['s3:PutObject', 's3:DeleteObject'], CROP_PREFIX);
    tableAccess(this.detectFn, true);
    this.queues.embed.grantSendMessages(this.detectFn);

    listBucket(this.embedFn);
    s3Objects(this.embedFn, ['s3:GetObject'], CROP_PREFIX);
    tableAccess(this.embedFn, true);

    tableAccess(this.clusterFn, true);

    tableAccess(this.schedulerFn, true);
    this.schedulerFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${PENDING_INDEX.indexName}`],
      }),
    );
    this.queues.cluster.grantSendMessages(this.schedulerFn);
  }
}
