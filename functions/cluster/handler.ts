import { performance } from 'node:perf_hooks';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readEngineConfig } from '#config/engine.ts';
// Direct module imports (not the pipeline index): the index re-exports the crop codec, which pulls
// in sharp, a native module this function does not ship.
import { defaultClusterer, type Clusterer } from '#core/pipeline/deps.ts';
import type { ClusterUserOutcome } from '#core/pipeline/cluster-user.ts';
import { noMetrics, sqsBatchHandler } from '../shared/powertools.ts';
import { noIdempotency, type IdempotentRuns } from '../shared/idempotency.ts';
import { noTracing } from '../shared/tracing.ts';
import {
  idempotencyOf,
  lambdaRuntime,
  lazyHandler,
  USER_ID,
  type AwsRuntime,
  type LambdaHandler,
} from '../shared/runtime.ts';
import { fargateStarter, readFargateTaskConfig, type LargeUserRoute } from './large-users.ts';
import { peopleChangedFromEnv } from './people-events.ts';
import { runClusterJob } from './run-job.ts';

export interface ClusterHandlerDeps extends AwsRuntime {
  readonly cluster: Clusterer;
  /** Embedder whose vectors are clustered. */
  readonly modelId: string;
  /** Users above a size go to a Fargate task (infra/large-users.ts); absent: everyone on Lambda. */
  readonly largeUsers?: LargeUserRoute;
  /** After a run that clustered the user (e.g. to announce the change). */
  readonly onClustered?: (userId: string, result: ClusterUserOutcome) => Promise<void>;
  /** Runs each job message once (Powertools idempotency on DynamoDB); absent: every delivery runs. */
  readonly idempotency?: IdempotentRuns;
}

export type { ClusterJob, FanOutResult } from '../scheduler/handler.ts';

/** The per-user cluster worker, fed by the cluster queue that the scheduler function fills (batch
 * size 1: one huge user occupies one invocation while others run in parallel). */
export function createClusterHandler(deps: ClusterHandlerDeps): LambdaHandler<SQSEvent, SQSBatchResponse> {
  const { logger, faces, metrics = noMetrics, tracing = noTracing, idempotency = noIdempotency } = deps;
  const onClustered = async (userId: string, result: ClusterUserOutcome): Promise<void> => {
    metrics.count('people', result.people.length);
    metrics.count('faces', result.faces);
    metrics.count('churn', result.churn.faces_changed);
    await deps.onClustered?.(userId, result);
  };
  return sqsBatchHandler(async (m) => {
    const userId = userIdOf(m.body);
    if (userId === undefined) {
      logger.warn('message rejected: not a cluster job', { messageId: m.messageId });
      metrics.count('rejected', 1);
      return;
    }
    tracing.annotate('userId', userId);
    const started = performance.now();
    try {
      // A failed run backs off inside (never an SQS retry loop); only an infrastructure failure
      // while recording it lands here.
      const job = {
        faces,
        clock: deps.clock,
        logger,
        cluster: deps.cluster,
        modelId: deps.modelId,
        onClustered,
        ...(deps.largeUsers ? { largeUsers: deps.largeUsers } : {}),
      };
      // A redelivery of a job that completed (its delete was lost) replays the outcome instead of
      // clustering the user again.
      const run = (): Promise<string> => tracing.span('cluster', () => runClusterJob(userId, job));
      const outcome = await idempotency.once(`${userId}/${m.messageId}`, run);
      if (outcome === 'failed' || outcome === 'gave-up') metrics.error(`clustering-${outcome}`);
    } catch (err) {
      // Another delivery of this job is running: its lease stays.
      if ((err as Error).name !== 'IdempotencyAlreadyInProgressError')
        await faces.releaseClustering(userId).catch(() => undefined);
      throw err;
    } finally {
      metrics.ms('cluster', performance.now() - started);
    }
  }, deps);
}

function userIdOf(body: string): string | undefined {
  let userId: unknown;
  try {
    userId = (JSON.parse(body) as { userId?: unknown }).userId;
  } catch {
    return undefined;
  }
  return typeof userId === 'string' && USER_ID.test(userId) ? userId : undefined;
}

/** Lease a Fargate task holds a user for: its own time limit (infra/large-users.ts) plus margin. */
const TASK_LEASE_MS = 4 * 60 * 60 * 1000;

export const handler = lazyHandler(async () => {
  const runtime = await lambdaRuntime('cluster');
  const task = readFargateTaskConfig();
  // Every AWS client of the function traced, the EventBridge and ECS ones too.
  const tracing = runtime.tracing ?? noTracing;
  const onClustered = peopleChangedFromEnv(runtime.config.region, runtime.logger, process.env, (c) =>
    tracing.capture(c),
  );
  const start = task
    ? fargateStarter(task, tracing.capture(new ECSClient({ region: runtime.config.region })))
    : undefined;
  return createClusterHandler({
    ...(task && start ? { largeUsers: { faceLimit: task.faceLimit, start, leaseMs: TASK_LEASE_MS } } : {}),
    ...(onClustered ? { onClustered } : {}),
    ...runtime,
    cluster: defaultClusterer,
    modelId: readEngineConfig().embedder,
    idempotency: idempotencyOf(runtime, 'cluster'),
  });
});
