import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readEngineConfig } from '#config/engine.ts';
import type { WorkQueue } from '#adapters/aws/sqs-work-queue.ts';
// Direct module imports (not the pipeline index): the index re-exports the crop codec, which pulls
// in sharp, a native module this function does not ship.
import { clusterUser } from '#core/pipeline/cluster-user.ts';
import { defaultClusterer, type Clusterer } from '#core/pipeline/deps.ts';
import { awsRuntime, lazyHandler, sqsQueue, USER_ID, type AwsRuntime } from '../shared/runtime.ts';

export interface ClusterHandlerDeps extends AwsRuntime {
  /** Per-user clustering jobs: the schedule enqueues, the same function consumes one per batch, so
   * one huge user occupies one invocation while others run in parallel. */
  readonly clusterQueue: WorkQueue;
  readonly cluster: Clusterer;
  /** Embedder whose vectors are clustered. */
  readonly modelId: string;
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
        // Read the flag's version first: changes that land during the run bump it, and then the
        // flag survives for the next schedule.
        const version = await faces.clusteringVersion(userId);
        if (version === undefined) continue; // already done by an earlier delivery
        await clusterUser(userId, { faces, clock: deps.clock, logger, cluster: deps.cluster, modelId: deps.modelId });
        const cleared = await faces.finishClustering(userId, version);
        if (!cleared) logger.info('user changed while clustering; stays flagged', { userId });
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

export const handler = lazyHandler(async () => {
  const runtime = awsRuntime('cluster');
  return createClusterHandler({
    ...runtime,
    clusterQueue: sqsQueue(runtime.config, 'clusterQueueUrl'),
    cluster: defaultClusterer,
    modelId: readEngineConfig().embedder,
  });
});
