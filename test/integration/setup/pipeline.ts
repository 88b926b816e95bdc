import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, S3Event, ScheduledEvent, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { readEngineConfig } from '#config/engine.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import { defaultClusterer } from '#core/pipeline/index.ts';
import { createApiHandler } from '../../../functions/api/handler.ts';
import { createClusterHandler, type FanOutResult } from '../../../functions/cluster/handler.ts';
import { createDetectHandler } from '../../../functions/detect/handler.ts';
import { createEmbedHandler } from '../../../functions/embed/handler.ts';
import { awsRuntime, type AwsRuntime } from '../../../functions/shared/runtime.ts';
import { startLocalAws, type LocalAws } from './emulators.ts';
import { S3EventQueue, formEncodeKey, sqsRecordOf } from './s3-events.ts';
import { InProcessQueue } from './work-queue.ts';

/** The four real handlers wired to local AWS, with the queues between them in-process. A test
 * uploads to S3, then moves events stage by stage, like Lambda's event source mappings would. */
export interface Pipeline {
  readonly aws: LocalAws;
  readonly runtime: AwsRuntime;
  readonly s3Events: S3EventQueue;
  readonly embedQueue: InProcessQueue;
  readonly clusterQueue: InProcessQueue;
  upload(userId: string, fileName: string, bytes: Uint8Array, metadata?: Record<string, string>): Promise<string>;
  remove(key: string): Promise<void>;
  detect(records: SQSRecord[]): Promise<SQSBatchResponse>;
  embed(records: SQSRecord[]): Promise<SQSBatchResponse>;
  clusterSchedule(): Promise<FanOutResult>;
  clusterWork(records: SQSRecord[]): Promise<SQSBatchResponse>;
  /** Drain every stage in order until nothing is left; returns all batch failures seen. */
  settle(): Promise<{ itemIdentifier: string }[]>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON responses, asserted field by field
  api(userId: string | undefined, method: string, resource: string, params?: Record<string, string>, body?: unknown, query?: Record<string, string>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

const scheduledEvent: ScheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', id: 'it', account: '000000000000', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: {}, version: '0' };

export async function startPipeline(name: string): Promise<Pipeline> {
  const aws = await startLocalAws({ name });
  // Handler logs go to stderr as in Lambda; quiet unless asked for (RANKFACE_TEST_LOGS=1).
  const base = awsRuntime('it');
  const runtime: AwsRuntime = process.env.RANKFACE_TEST_LOGS ? base : { ...base, logger: silentLogger };
  const analyzer: FaceAnalyzer = await createFaceAnalyzer(readEngineConfig());
  const s3Events = new S3EventQueue();
  aws.onS3Event((e) => s3Events.push(e));
  const embedQueue = new InProcessQueue('embed');
  const clusterQueue = new InProcessQueue('cluster');
  const detectHandler = createDetectHandler({ ...runtime, analyzer, embedQueue });
  const embedHandler = createEmbedHandler({ ...runtime, analyzer });
  const clusterHandler = createClusterHandler({ ...runtime, clusterQueue, cluster: defaultClusterer, modelId: analyzer.embedderId });
  const apiHandler = createApiHandler({ ...runtime, presignSeconds: 300 });

  // Against LocalStack the bucket has no notification to this process: synthesise the event the
  // notification would carry (same shape as the normalised s3rver one).
  const synthesise = (eventName: string, key: string): void => {
    if (aws.emitsS3Events) return;
    s3Events.push({ Records: [{ eventName, eventSource: 'aws:s3', s3: { bucket: { name: aws.bucket }, object: { key } } }] } as unknown as S3Event);
  };

  const p: Pipeline = {
    aws, runtime, s3Events, embedQueue, clusterQueue,
    async upload(userId, fileName, bytes, metadata) {
      const key = `uploads/${userId}/${fileName}`;
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: bytes, ContentType: 'image/jpeg', ...(metadata ? { Metadata: metadata } : {}) }));
      synthesise('ObjectCreated:Put', key);
      return key;
    },
    async remove(key) {
      await aws.s3.send(new DeleteObjectCommand({ Bucket: aws.bucket, Key: key }));
      synthesise('ObjectRemoved:Delete', key);
    },
    detect: (records) => detectHandler({ Records: records }),
    embed: (records) => embedHandler({ Records: records }),
    clusterSchedule: async () => (await clusterHandler(scheduledEvent)) as FanOutResult,
    clusterWork: async (records) => (await clusterHandler({ Records: records })) as SQSBatchResponse,
    async settle() {
      const failures: { itemIdentifier: string }[] = [];
      for (let round = 0; round < 5; round++) {
        const detected = s3Events.drain();
        if (detected.length) failures.push(...(await p.detect(detected)).batchItemFailures);
        const toEmbed = embedQueue.drain();
        if (toEmbed.length) failures.push(...(await p.embed(toEmbed)).batchItemFailures);
        await p.clusterSchedule();
        const jobs = clusterQueue.drain();
        // Batch size 1, as the stack configures the cluster queue.
        for (const job of jobs) failures.push(...(await p.clusterWork([job])).batchItemFailures);
        if (!detected.length && !toEmbed.length && !jobs.length) break;
      }
      return failures;
    },
    async api(userId, method, resource, params = {}, body, query) {
      let path = resource;
      for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
      const event = {
        httpMethod: method, resource, path, pathParameters: Object.keys(params).length ? params : null,
        queryStringParameters: query ?? null, headers: {}, multiValueHeaders: {}, multiValueQueryStringParameters: null,
        body: body === undefined ? null : JSON.stringify(body), isBase64Encoded: false, stageVariables: null,
        requestContext: { authorizer: userId ? { claims: { sub: userId } } : null },
      } as unknown as APIGatewayProxyEvent;
      const res: APIGatewayProxyResult = await apiHandler(event);
      return { status: res.statusCode, body: JSON.parse(res.body) };
    },
    async stop() {
      await analyzer.dispose();
      await aws.stop();
    },
  };
  return p;
}

export { formEncodeKey, sqsRecordOf };
