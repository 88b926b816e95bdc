import type { ScheduledEvent } from 'aws-lambda';
import type { WorkQueue } from '#core/ports/work-queue.ts';
import { lambdaRuntime, lazyHandler, sqsQueue, type AwsRuntime } from '../shared/runtime.ts';

export interface SchedulerHandlerDeps extends AwsRuntime {
  /** Per-user clustering jobs, consumed one per invocation by the cluster worker. */
  readonly clusterQueue: WorkQueue;
}

/** Message to the cluster worker. */
export interface ClusterJob {
  readonly userId: string;
}

export interface FanOutResult {
  readonly pending: number;
  readonly enqueued: number;
}

/** The schedule's target: one cluster job per user whose faces changed and who holds no live lease
 * (the lease outlives every retry of a job, so a retried job is never doubled by a fresh one). */
export function createSchedulerHandler(deps: SchedulerHandlerDeps): (event?: ScheduledEvent) => Promise<FanOutResult> {
  const { logger, faces } = deps;
  const leaseMs = deps.config.clusterLeaseSeconds * 1000;
  return async () => {
    const users = await faces.listUsersNeedingClustering();
    const jobs: ClusterJob[] = [];
    for (const userId of users) if (await faces.claimClustering(userId, leaseMs)) jobs.push({ userId });
    await deps.clusterQueue.send(jobs);
    logger.info('clustering fanned out', { pending: users.length, enqueued: jobs.length });
    return { pending: users.length, enqueued: jobs.length };
  };
}

export const handler = lazyHandler(async () => {
  const runtime = await lambdaRuntime('scheduler');
  return createSchedulerHandler({
    ...runtime,
    clusterQueue: sqsQueue(runtime.config, 'clusterQueueUrl', runtime.tracing),
  });
});
