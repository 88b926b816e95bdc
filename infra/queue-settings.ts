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
}

const VISIBILITY_FACTOR = 6;
const settings = (functionTimeoutSeconds: number, batchSize: number): StageQueueSettings => ({
  functionTimeoutSeconds,
  visibilityTimeoutSeconds: functionTimeoutSeconds * VISIBILITY_FACTOR,
  maxReceiveCount: 3,
  batchSize,
});

export const STAGE_QUEUES: Readonly<Record<Stage, StageQueueSettings>> = {
  detect: settings(120, 5),
  embed: settings(120, 10),
  // One user per invocation: a huge library occupies one function while other users proceed.
  cluster: settings(600, 1),
};

export const STAGES: readonly Stage[] = ['detect', 'embed', 'cluster'];

/** Days a dead-lettered message is kept for inspection and redrive. */
export const DLQ_RETENTION_DAYS = 14;
