import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readEngineConfig } from '#config/engine.ts';
import type { WorkQueue } from '#adapters/aws/sqs-work-queue.ts';
// Direct module imports (not the pipeline index): the index re-exports the crop codec, which pulls
// in sharp, a native module this function does not ship.
import { defaultClusterer, type Clusterer } from '#core/pipeline/deps.ts';
import { awsRuntime, lazyHandler, sqsQueue, USER_ID, type AwsRuntime } from '../shared/runtime.ts';
import { fargateStarter, readFargateTaskConfig, type LargeUserRoute } from './large-users.ts';
import { runClusterJob } from './run-job.ts';

export interface ClusterHandlerDeps extends AwsRuntime {
  /** Per-user clustering jobs: the schedule enqueues, the same function consumes one per batch, so
   * one huge user occupies one invocation while others run in parallel. */
  readonly clusterQueue: WorkQueue;
  readonly cluster: Clusterer;
  /** Embedder whose vectors are clustered. */
  readonly modelId: string;
  /** Users above a size go to a Fargate task (infra/large-users.ts); absent: everyone on Lambda. */
  readonly largeUsers?: LargeUserRoute;
}

export interface ClusterJob {
  readonly userId: string;
}

export interface FanOutResult {
  readonly pending: number;
  readonly enqueued: number;
}

const isScheduled = (e: unknown): e is ScheduledEvent => (e as Partial<ScheduledEvent>)?.['detail-type'] === 'Scheduled Event';

/** One function, two triggers: the EventBridge rule (fan out) and the cluster queue (work). */
export function createClusterHandler(deps: ClusterHandlerDeps): (event: ScheduledEvent | SQSEvent) => Promise<FanOutResult | SQSBatchResponse> {
  const { logger, faces } = deps;
  const leaseMs = deps.config.clusterLeaseSeconds * 1000;

  async function fanOut(): Promise<FanOutResult> {
    const users = await faces.listUsersNeedingClustering();
    const jobs: ClusterJob[] = [];
    for (const userId of users) if (await faces.claimClustering(userId, leaseMs)) jobs.push({ userId });
    await deps.clusterQueue.send(jobs);
    logger.info('clustering fanned out', { pending: users.length, enqueued: jobs.length });
    return { pending: users.length, enqueued: jobs.length };
  }

  async function work(event: SQSEvent): Promise<SQSBatchResponse> {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const m of event.Records) {
      let userId: unknown;
      try {
        userId = (JSON.parse(m.body) as Partial<ClusterJob>).userId;
      } catch {
        userId = undefined;
      }
      if (typeof userId !== 'string' || !USER_ID.test(userId)) {
        logger.warn('message rejected: not a cluster job', { messageId: m.messageId });
        continue;
      }
      try {
        // A failed run backs off inside (never an SQS retry loop); only an infrastructure failure
        // while recording it lands here.
        await runClusterJob(userId, { faces, clock: deps.clock, logger, cluster: deps.cluster, modelId: deps.modelId, ...(deps.largeUsers ? { largeUsers: deps.largeUsers } : {}) });
      } catch (err) {
        logger.error('clustering failed', { userId, messageId: m.messageId, error: (err as Error).message });
        await faces.releaseClustering(userId).catch(() => undefined);
        batchItemFailures.push({ itemIdentifier: m.messageId });
      }
    }
    return { batchItemFailures };
  }

  return async (event) => (isScheduled(event) ? fanOut() : work(event));
}

/** Lease a Fargate task holds a user for: its own time limit (infra/large-users.ts) plus margin. */
const TASK_LEASE_MS = 4 * 60 * 60 * 1000;

export const handler = lazyHandler(async () => {
  const runtime = awsRuntime('cluster');
  const task = readFargateTaskConfig();
  return createClusterHandler({
    ...(task ? { largeUsers: { faceLimit: task.faceLimit, start: fargateStarter(task), leaseMs: TASK_LEASE_MS } } : {}),
    ...runtime,
    clusterQueue: sqsQueue(runtime.config, 'clusterQueueUrl'),
    cluster: defaultClusterer,
    modelId: readEngineConfig().embedder,
  });
});
