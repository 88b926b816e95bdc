import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  S3Event,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { defaultClusterer } from '#core/pipeline/deps.ts';
import type { Logger } from '#core/ports/logger.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import { createApiHandler } from '../../functions/api/handler.ts';
import { createClusterHandler } from '../../functions/cluster/handler.ts';
import { createDetectHandler } from '../../functions/detect/handler.ts';
import { createEmbedHandler } from '../../functions/embed/handler.ts';
import { createSchedulerHandler, type FanOutResult } from '../../functions/scheduler/handler.ts';
import { awsRuntime, type AwsRuntime } from '../../functions/shared/runtime.ts';
import { STAGES, type Stage } from '../../infra/queue-settings.ts';
import { deleteSucceeded, receiveBatch, sendBodies } from './event-source.ts';
import { startLocalAws, type LocalAws, type LocalAwsOptions } from './local-aws.ts';
import { normaliseS3Record } from './s3-events.ts';

/** The stage handlers, built exactly as each Lambda function builds them, wired to real SQS. */
export interface StageHandlers {
  readonly detect: (e: SQSEvent) => Promise<SQSBatchResponse>;
  readonly embed: (e: SQSEvent) => Promise<SQSBatchResponse>;
  readonly cluster: (e: SQSEvent) => Promise<SQSBatchResponse>;
  readonly scheduler: () => Promise<FanOutResult>;
  readonly api: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
}

export interface PollResult {
  readonly received: number;
  readonly failures: readonly string[];
}

/** The serverless pipeline on this machine: the emulators (S3, DynamoDB, SQS), S3 notifications to
 * the detect queue, and Lambda's SQS event source mapping (receive a batch, invoke, delete what
 * succeeded). One wiring for the integration tests, `npm run local` and `bench:cost`. */
export interface LocalPipeline {
  readonly aws: LocalAws;
  readonly runtime: AwsRuntime;
  /** The stages' analyzer (the active embedder's; replaced by switchEmbedder). */
  readonly analyzer: FaceAnalyzer;
  /** The stage handlers (rebuilt in place by switchEmbedder). */
  readonly handlers: StageHandlers;
  /** Deploy another embedder, as a stack update changing RANKFACE_EMBEDDER does: every handler is
   * built again with it (the store, the queues and what is on them stay). */
  switchEmbedder(embedder: string): Promise<void>;
  /** What the bucket notification does: an S3 event (as S3 sends it) onto the detect queue. */
  notify(event: S3Event): void;
  /** Wait until every notification so far has reached the detect queue. */
  flushNotifications(): Promise<void>;
  /** One receive on a stage's queue → its handler (or `handler`, for fault injection) → delete
   * what succeeded. A handler that throws leaves the whole batch on the queue, as Lambda does. */
  poll(stage: Stage, waitSeconds?: number, handler?: (e: SQSEvent) => Promise<SQSBatchResponse>): Promise<PollResult>;
  /** Move a stage's dead-lettered messages back to its queue (AWS: StartMessageMoveTask, which
   * fauxqs lacks; receive, re-send and delete has the same effect). Returns how many moved. */
  redrive(stage: Stage): Promise<number>;
  /** Messages visible plus in flight on a stage's queue, or on its DLQ. */
  depth(stage: Stage, which?: 'queue' | 'dlq'): Promise<number>;
  /** Receive every visible message of a stage's queue and delete them (the caller handles them). */
  take(stage: Stage): Promise<SQSRecord[]>;
  /** Poll every stage (running the schedule between rounds) until all queues are empty. */
  settle(maxRounds?: number): Promise<string[]>;
  stop(): Promise<void>;
}

export interface LocalPipelineOptions extends LocalAwsOptions {
  readonly logger?: Logger;
  /** Forward s3rver's events to the detect queue (off for a test that delivers events itself). */
  readonly s3Notifications?: boolean;
}

export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const aws = await startLocalAws(options);
  const base = awsRuntime('local');
  const runtime: AwsRuntime = options.logger ? { ...base, logger: options.logger } : base;
  let analyzer = await createFaceAnalyzer(readEngineConfig());
  const { client, queues } = aws.sqs;
  const build = (a: FaceAnalyzer): StageHandlers => ({
    detect: createDetectHandler({ ...runtime, analyzer: a, embedQueue: new SqsWorkQueue(client, queues.embed.url) }),
    embed: createEmbedHandler({ ...runtime, analyzer: a, calibration: calibrationFor(a.embedderId) }),
    cluster: createClusterHandler({ ...runtime, cluster: defaultClusterer, modelId: a.embedderId }),
    scheduler: createSchedulerHandler({ ...runtime, clusterQueue: new SqsWorkQueue(client, queues.cluster.url) }),
    api: createApiHandler({
      ...runtime,
      presignSeconds: runtime.config.presignSeconds,
      modelId: a.embedderId,
      clusterQueue: new SqsWorkQueue(client, queues.cluster.url),
      clusterLeaseSeconds: runtime.config.clusterLeaseSeconds,
    }),
  });
  const handlers: StageHandlers = build(analyzer);
  const invoke: Record<Stage, (e: SQSEvent) => Promise<SQSBatchResponse>> = {
    detect: (e) => handlers.detect(e),
    embed: (e) => handlers.embed(e),
    cluster: (e) => handlers.cluster(e),
  };
  const switchEmbedder = async (embedder: string): Promise<void> => {
    const next = await createFaceAnalyzer({ ...readEngineConfig(), embedder });
    await analyzer.dispose();
    analyzer = next;
    Object.assign(handlers, build(next));
  };

  const inFlight = new Set<Promise<void>>();
  const notify = (event: S3Event): void => {
    const bodies = (event.Records ?? [])
      .map(normaliseS3Record)
      .filter((r) => r !== undefined)
      .map((r) => JSON.stringify({ Records: [r] }));
    if (!bodies.length) return;
    const p = sendBodies(client, queues.detect.url, bodies).catch((err: unknown) =>
      runtime.logger.error('notification lost', { error: (err as Error).message }),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  if (options.s3Notifications !== false) aws.onS3Event(notify);
  const flushNotifications = async (): Promise<void> => {
    while (inFlight.size) await Promise.all([...inFlight]);
  };

  const poll = async (stage: Stage, waitSeconds = 0, handler = invoke[stage]): Promise<PollResult> => {
    await flushNotifications();
    const records = await receiveBatch(client, queues[stage], waitSeconds);
    if (!records.length) return { received: 0, failures: [] };
    // A handler that throws keeps the whole batch (Lambda deletes nothing): SQS redelivers it.
    const response = await handler({ Records: records });
    await deleteSucceeded(client, queues[stage], records, response);
    return { received: records.length, failures: response.batchItemFailures.map((f) => f.itemIdentifier) };
  };

  const take = async (stage: Stage): Promise<SQSRecord[]> => {
    await flushNotifications();
    const out: SQSRecord[] = [];
    for (;;) {
      const batch = await receiveBatch(client, { ...queues[stage], batchSize: 10 });
      if (!batch.length) return out;
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues[stage].url,
          Entries: batch.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      out.push(...batch);
    }
  };

  const redrive = async (stage: Stage): Promise<number> => {
    const dlq = { ...queues[stage], url: queues[stage].dlqUrl, batchSize: 10 };
    let moved = 0;
    for (;;) {
      const batch = await receiveBatch(client, dlq);
      if (!batch.length) return moved;
      await sendBodies(
        client,
        queues[stage].url,
        batch.map((r) => r.body),
      );
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlq.url,
          Entries: batch.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      moved += batch.length;
    }
  };

  const depth = async (stage: Stage, which: 'queue' | 'dlq' = 'queue'): Promise<number> => {
    await flushNotifications();
    const url = which === 'dlq' ? queues[stage].dlqUrl : queues[stage].url;
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }),
    );
    return names.reduce((n, a) => n + Number(Attributes?.[a] ?? 0), 0);
  };

  const settle = async (maxRounds = 50): Promise<string[]> => {
    const failures: string[] = [];
    for (let round = 0; round < maxRounds; round++) {
      let received = 0;
      for (const stage of STAGES) {
        for (;;) {
          const r = await poll(stage);
          received += r.received;
          failures.push(...r.failures);
          if (!r.received) break;
        }
        if (stage === 'embed') await handlers.scheduler();
      }
      if (!received) return failures;
    }
    throw new Error(`the pipeline did not settle in ${maxRounds} rounds`);
  };

  return {
    aws,
    runtime,
    handlers,
    notify,
    flushNotifications,
    poll,
    take,
    redrive,
    depth,
    settle,
    switchEmbedder,
    get analyzer() {
      return analyzer;
    },
    async stop() {
      await flushNotifications();
      await analyzer.dispose();
      await aws.stop();
    },
  };
}
