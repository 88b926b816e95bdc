import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { calibrationFor } from '#config/calibration.ts';
import { clusterUser, type ClusterUserOutcome } from '#core/pipeline/cluster-user.ts';
import type { Clusterer } from '#core/pipeline/deps.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { routeClustering, type LargeUserRoute } from './large-users.ts';

/** A failed run waits this long before the schedule may pick the user again, doubling per failure. */
export const CLUSTER_RETRY_BACKOFF_MS = 15 * 60 * 1000;
/** After this many failed runs in a row the user is reported and no longer retried (until its
 * faces change again). */
export const CLUSTER_MAX_FAILURES = 4;

export interface ClusterJobDeps {
  readonly faces: DynamoFaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cluster: Clusterer;
  readonly modelId: string;
  /** Present where large users may be handed to Fargate (the Lambda worker, not the task itself). */
  readonly largeUsers?: LargeUserRoute;
  /** After the user's people are written (metrics, the `people.changed` event). */
  readonly onClustered?: (userId: string, result: ClusterUserOutcome) => Promise<void>;
}

export type ClusterJobOutcome = 'done' | 'stays-flagged' | 'not-flagged' | 'handed-to-task' | 'failed' | 'gave-up';

/** One user's clustering, shared by the Lambda worker and the Fargate task: read the flag version,
 * route or cluster, clear the flag. A failure never throws: it backs off and, after
 * CLUSTER_MAX_FAILURES, gives up loudly (error log `clustering-gave-up`) instead of retrying forever. */
export async function runClusterJob(userId: string, deps: ClusterJobDeps): Promise<ClusterJobOutcome> {
  const { faces, logger } = deps;
  try {
    // Read the flag's version first: changes that land during the run bump it, and then the flag
    // survives for the next schedule.
    const version = await faces.clusteringVersion(userId);
    if (version === undefined) return 'not-flagged'; // already done by an earlier delivery
    if (deps.largeUsers && (await routeClustering(userId, version, deps.modelId, deps.largeUsers, deps)) === 'task')
      return 'handed-to-task';
    // With the embedder's P(same) curves: loose faces join people by the incremental rule (issue 12).
    const result = await clusterUser(userId, { ...deps, calibration: calibrationFor(deps.modelId) });
    await deps.onClustered?.(userId, result);
    const cleared = await faces.finishClustering(userId, version);
    if (!cleared) logger.info('user changed while clustering; stays flagged', { userId });
    return cleared ? 'done' : 'stays-flagged';
  } catch (err) {
    const message = (err as Error).message;
    const { failures, gaveUp } = await faces.failClustering(
      userId,
      message,
      CLUSTER_RETRY_BACKOFF_MS,
      CLUSTER_MAX_FAILURES,
    );
    if (gaveUp) logger.error('clustering gave up', { code: 'clustering-gave-up', userId, failures, error: message });
    else
      logger.error('clustering failed; backing off', {
        code: 'clustering-failed',
        userId,
        failures,
        retryInMs: CLUSTER_RETRY_BACKOFF_MS * 2 ** (failures - 1),
        error: message,
      });
    return gaveUp ? 'gave-up' : 'failed';
  }
}
