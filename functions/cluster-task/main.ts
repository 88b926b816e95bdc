/** Entry point of the large-user clustering task (ECS Fargate, infra/large-users.ts): the same code
 * as the Lambda worker (runClusterJob, the same store and clusterer), for one user given by the
 * environment, without Lambda's time and memory limits. Exit code 0 when the run ended in a known
 * state (done, backed off, gave up), 1 when even recording the outcome failed. */
import { readEngineConfig } from '#config/engine.ts';
import { defaultClusterer } from '#core/pipeline/deps.ts';
import { awsRuntime, USER_ID } from '../shared/runtime.ts';
import { LARGE_USER_ENV } from '../cluster/large-users.ts';
import { peopleChangedFromEnv } from '../cluster/people-events.ts';
import { runClusterJob } from '../cluster/run-job.ts';

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const runtime = awsRuntime('cluster-task', env);
  const userId = env[LARGE_USER_ENV.userId] ?? '';
  if (!USER_ID.test(userId)) {
    runtime.logger.error('cluster task started without a valid user id', {
      code: 'bad-task-input',
      variable: LARGE_USER_ENV.userId,
    });
    return 1;
  }
  const onClustered = peopleChangedFromEnv(runtime.config.region, runtime.logger, env);
  try {
    const outcome = await runClusterJob(userId, {
      faces: runtime.faces,
      clock: runtime.clock,
      logger: runtime.logger,
      cluster: defaultClusterer,
      modelId: readEngineConfig(env).embedder,
      ...(onClustered ? { onClustered } : {}),
    });
    runtime.logger.info('cluster task finished', { userId, outcome });
    return 0;
  } catch (err) {
    runtime.logger.error('cluster task could not record its outcome', { userId, error: (err as Error).message });
    await runtime.faces.releaseClustering(userId).catch(() => undefined);
    return 1;
  }
}

// Run when executed as the container's command (not when imported by a test).
if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
