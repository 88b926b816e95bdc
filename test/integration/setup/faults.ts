import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import type { PhotoAnalyzer } from '#core/pipeline/deps.ts';
import { createDetectHandler } from '../../../functions/detect/handler.ts';
import { createEmbedHandler } from '../../../functions/embed/handler.ts';
import { STAGE_QUEUES, type Stage } from '../../../infra/queue-settings.ts';
import type { Pipeline } from './pipeline.ts';

/** Visibility timeout the fault tests give every stage (the stack's is 12-60 minutes): long enough
 * that a batch is never redelivered while its handler runs on a loaded machine, short enough to
 * watch a redelivery. Everything else (receive count, DLQ, batch size) is the stack's. */
export const FAULT_VISIBILITY_SECONDS = 4;
export const faultVisibility: Record<Stage, number> = {
  detect: FAULT_VISIBILITY_SECONDS,
  embed: FAULT_VISIBILITY_SECONDS,
  cluster: FAULT_VISIBILITY_SECONDS,
};
export const MAX_RECEIVES = STAGE_QUEUES.detect.maxReceiveCount;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Wait until a message left invisible by a failed delivery is visible again. */
export const waitForRedelivery = (): Promise<void> => sleep(FAULT_VISIBILITY_SECONDS * 1000 + 500);

/** The S3 key an S3-notification message is about. */
export const keyOf = (r: SQSRecord): string =>
  decodeURIComponent(
    (JSON.parse(r.body) as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key.replace(
      /\+/g,
      ' ',
    ),
  );

/** A blob store whose reads of some keys fail as S3 does under throttling or a permissions slip
 * (an infrastructure fault, not bad input): `failuresLeft` per key, Infinity for a poison key. */
export function faultyBlobs(blobs: S3BlobStore, failuresLeft: Map<string, number>): S3BlobStore {
  return new Proxy(blobs, {
    get(target, prop, receiver) {
      if (prop !== 'getObject') return Reflect.get(target, prop, receiver) as unknown;
      return async (key: string) => {
        const left = failuresLeft.get(key) ?? 0;
        if (left > 0) {
          failuresLeft.set(key, left - 1);
          throw Object.assign(new Error(`SlowDown: injected S3 fault on ${key}`), { name: 'SlowDown' });
        }
        return target.getObject(key);
      };
    },
  });
}

/** The detect function as its Lambda builds it, over a faulty blob store. */
export function detectWithFaults(
  p: Pipeline,
  failuresLeft: Map<string, number>,
): (e: SQSEvent) => Promise<SQSBatchResponse> {
  const { client, queues } = p.aws.sqs;
  return createDetectHandler({
    ...p.runtime,
    blobs: faultyBlobs(p.runtime.blobs, failuresLeft),
    analyzer: p.local.analyzer,
    embedQueue: new SqsWorkQueue(client, queues.embed.url),
  });
}

/** The embed function during an outage of its model runtime: every job fails. */
export function embedDuringOutage(p: Pipeline): (e: SQSEvent) => Promise<SQSBatchResponse> {
  const down: Pick<PhotoAnalyzer, 'embedCrops'> = {
    embedCrops: () => Promise.reject(new Error('injected outage: embedding runtime unavailable')),
  };
  return createEmbedHandler({ ...p.runtime, analyzer: down });
}

/** Poll a stage until it has nothing visible. */
export async function drainStage(
  p: Pipeline,
  stage: Stage,
  handler?: (e: SQSEvent) => Promise<SQSBatchResponse>,
): Promise<string[]> {
  const failures: string[] = [];
  for (;;) {
    const r = await p.local.poll(stage, 0, handler);
    failures.push(...r.failures);
    if (!r.received) return failures;
  }
}
