import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readEngineConfig } from '#config/engine.ts';
// Direct module imports (not the pipeline index): the index re-exports the crop codec, which pulls
// in sharp, a native module this function does not ship.
import { defaultClusterer, type Clusterer } from '#core/pipeline/deps.ts';
import { awsRuntime, lazyHandler, USER_ID, type AwsRuntime } from '../shared/runtime.ts';
import { fargateStarter, readFargateTaskConfig, type LargeUserRoute } from './large-users.ts';
import { runClusterJob } from './run-job.ts';

export interface ClusterHandlerDeps extends AwsRuntime {
  readonly cluster: Clusterer;
  /** Embedder whose vectors are clustered. */
  readonly modelId: string;
  /** Users above a size go to a Fargate task (infra/large-users.ts); absent: everyone on Lambda. */
  readonly largeUsers?: LargeUserRoute;
}

export type { ClusterJob, FanOutResult } from '../scheduler/handler.ts';

/** The per-user cluster worker, fed by the cluster queue that the scheduler function fills (batch
 * size 1: one huge user occupies one invocation while others run in parallel). */
export function createClusterHandler(deps: ClusterHandlerDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const { logger, faces } = deps;

  async function work(event: SQSEvent): Promise<SQSBatchResponse> {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const m of event.Records) {
      let userId: unknown;
      try {
        userId = (JSON.parse(m.body) as { userId?: unknown }).userId;
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

  return work;
}

/** Lease a Fargate task holds a user for: its own time limit (infra/large-users.ts) plus margin. */
const TASK_LEASE_MS = 4 * 60 * 60 * 1000;

export const handler = lazyHandler(async () => {
  const runtime = awsRuntime('cluster');
  const task = readFargateTaskConfig();
  return createClusterHandler({
    ...(task ? { largeUsers: { faceLimit: task.faceLimit, start: fargateStarter(task), leaseMs: TASK_LEASE_MS } } : {}),
    ...runtime,
    cluster: defaultClusterer,
    modelId: readEngineConfig().embedder,
  });
});
