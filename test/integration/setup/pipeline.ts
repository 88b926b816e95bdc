import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, S3Event, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { silentLogger } from '#core/ports/logger.ts';
import type { FanOutResult } from '../../../functions/scheduler/handler.ts';
import type { AwsRuntime } from '../../../functions/shared/runtime.ts';
import type { Stage } from '../../../infra/queue-settings.ts';
import {
  startLocalPipeline,
  type LocalPipeline,
  type LocalPipelineOptions,
} from '../../../scripts/emulators/local-pipeline.ts';
import type { LocalAws } from './emulators.ts';
import { formEncodeKey, sqsRecordOf } from './s3-events.ts';

/** Messages waiting on one of the pipeline's real SQS queues. */
export interface QueueView {
  /** Receive and delete every visible message: the test delivers them itself. */
  drain(): Promise<SQSRecord[]>;
}

/** The real handlers wired to local AWS (S3, DynamoDB and SQS emulators) by the same helper as
 * `npm run local` and `bench:cost`. A test uploads to S3, then either settles the pipeline (Lambda's
 * event source mappings, on real queues) or moves messages stage by stage. */
export interface Pipeline {
  readonly aws: LocalAws;
  readonly runtime: AwsRuntime;
  readonly local: LocalPipeline;
  /** S3 notifications on the detect queue. */
  readonly s3Events: QueueView;
  readonly embedQueue: QueueView;
  readonly clusterQueue: QueueView;
  upload(userId: string, fileName: string, bytes: Uint8Array, metadata?: Record<string, string>): Promise<string>;
  remove(key: string): Promise<void>;
  detect(records: SQSRecord[]): Promise<SQSBatchResponse>;
  embed(records: SQSRecord[]): Promise<SQSBatchResponse>;
  clusterSchedule(): Promise<FanOutResult>;
  clusterWork(records: SQSRecord[]): Promise<SQSBatchResponse>;
  /** Run every stage's queue until nothing is left; returns the message ids that failed. */
  settle(): Promise<string[]>;
  /** Call the REST handler as API Gateway would (Cognito's `sub` = userId; null = no token). */
  api(
    userId: string | null | undefined,
    method: string,
    resource: string,
    params?: Record<string, string>,
    body?: unknown,
    query?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startPipeline(name: string, options: Omit<LocalPipelineOptions, 'name'> = {}): Promise<Pipeline> {
  // Handler logs go to stderr as in Lambda; quiet unless asked for (RANKFACE_TEST_LOGS=1).
  const local = await startLocalPipeline({
    name,
    ...(process.env.RANKFACE_TEST_LOGS ? {} : { logger: silentLogger }),
    ...options,
  });
  const { aws, runtime, handlers } = local;
  const view = (stage: Stage): QueueView => ({ drain: () => local.take(stage) });

  // Against LocalStack the bucket has no notification to this process: send the event the
  // notification would carry (same shape as the normalised s3rver one).
  const synthesise = (eventName: string, key: string): void => {
    if (aws.emitsS3Events) return;
    local.notify({
      Records: [{ eventName, eventSource: 'aws:s3', s3: { bucket: { name: aws.bucket }, object: { key } } }],
    } as unknown as S3Event);
  };

  return {
    aws,
    runtime,
    local,
    s3Events: view('detect'),
    embedQueue: view('embed'),
    clusterQueue: view('cluster'),
    async upload(userId, fileName, bytes, metadata) {
      const key = `uploads/${userId}/${fileName}`;
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: key,
          Body: bytes,
          ContentType: 'image/jpeg',
          ...(metadata ? { Metadata: metadata } : {}),
        }),
      );
      synthesise('ObjectCreated:Put', key);
      return key;
    },
    async remove(key) {
      await aws.s3.send(new DeleteObjectCommand({ Bucket: aws.bucket, Key: key }));
      synthesise('ObjectRemoved:Delete', key);
    },
    detect: (records) => handlers.detect({ Records: records }),
    embed: (records) => handlers.embed({ Records: records }),
    clusterSchedule: () => handlers.scheduler(),
    clusterWork: (records) => handlers.cluster({ Records: records }),
    settle: () => local.settle(),
    async api(userId, method, resource, params = {}, body, query) {
      let path = resource;
      for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
      const event = {
        httpMethod: method,
        resource,
        path,
        pathParameters: Object.keys(params).length ? params : null,
        queryStringParameters: query ?? null,
        headers: {},
        multiValueHeaders: {},
        multiValueQueryStringParameters: null,
        body: body === undefined ? null : JSON.stringify(body),
        isBase64Encoded: false,
        stageVariables: null,
        requestContext: { authorizer: userId ? { claims: { sub: userId } } : null },
      } as unknown as APIGatewayProxyEvent;
      const res: APIGatewayProxyResult = await handlers.api(event);
      return { status: res.statusCode, body: JSON.parse(res.body) };
    },
    stop: () => local.stop(),
  };
}

export { formEncodeKey, sqsRecordOf };
