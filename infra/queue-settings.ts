/** The work queues between stages: plain data shared by the CDK stack and the local emulator
 * harness (`scripts/emulators/local-aws.ts`), so tests and `npm run local` run on queues with the
 * settings the stack deploys (visibility, receive count, dead-letter queue), not on look-alikes. */
export type Stage = 'detect' | 'embed' | 'cluster';

export interface StageQueueSettings {
  /** The consuming function's timeout. */
  readonly functionTimeoutSeconds: number;
  /** Visibility timeout = 6x the function timeout (AWS guidance: a retry never overlaps a live run). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the stage's dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Messages per invocation (the event source mapping's batch size). */
  readonly batchSize: number;
  /** Most concurrent invocations the event source mapping starts: a bulk upload cannot take the
   * account's concurrency from the API (Lambda's default account limit is 1,000; new accounts 10). */
  readonly maxConcurrency: number;
}

const VISIBILITY_FACTOR = 6;
const settings = (functionTimeoutSeconds: number, batchSize: number, maxConcurrency: number): StageQueueSettings => ({
  functionTimeoutSeconds,
  visibilityTimeoutSeconds: functionTimeoutSeconds * VISIBILITY_FACTOR,
  maxReceiveCount: 3,
  batchSize,
  maxConcurrency,
});

// Concurrency caps: in the bundle-load test (quiet 2-core machine) a cold detect invocation took
// 1.8 s for 5 group photos (models loaded) and embed 0.9 s for their faces: embed needs about half
// detect's workers. Clustering is per user and memory-bound (3 GB), so few run at once. The caps
// bound cost and protect the API's share of the account's concurrency; raise them with the quota.
export const STAGE_QUEUES: Readonly<Record<Stage, StageQueueSettings>> = {
  detect: settings(120, 5, 10),
  embed: settings(120, 10, 5),
  // One user per invocation: a huge library occupies one function while other users proceed.
  cluster: settings(600, 1, 4),
};

/** How long a claimed clustering job keeps the schedule from enqueuing the same user again: longer
 * than every delivery of the job can take (each receive may run to the visibility timeout), so a
 * retried job is never doubled by a fresh one. */
export const CLUSTER_LEASE_SECONDS =
  STAGE_QUEUES.cluster.visibilityTimeoutSeconds * STAGE_QUEUES.cluster.maxReceiveCount +
  STAGE_QUEUES.cluster.functionTimeoutSeconds;

export const STAGES: readonly Stage[] = ['detect', 'embed', 'cluster'];

/** Days a dead-lettered message is kept for inspection and redrive. */
export const DLQ_RETENTION_DAYS = 14;
