import { createHash } from 'node:crypto';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { Logger } from '#core/ports/logger.ts';

/** Where one user's clustering runs. Lambda holds a user up to LARGE_USER_FACES faces (docs/scale.md:
 * measured time and memory per size); above that the cluster stage starts a Fargate task that runs
 * the same code (functions/cluster-task/main.ts) and returns at once. */
export const LARGE_USER_FACES = 150_000;

/** Names of the environment variables infra/large-users.ts sets on the cluster function. */
export const LARGE_USER_ENV = {
  faceLimit: 'RANKFACE_LARGE_USER_FACES',
  cluster: 'RANKFACE_CLUSTER_TASK_CLUSTER',
  taskDefinition: 'RANKFACE_CLUSTER_TASK_DEFINITION',
  container: 'RANKFACE_CLUSTER_TASK_CONTAINER',
  subnets: 'RANKFACE_CLUSTER_TASK_SUBNETS',
  securityGroup: 'RANKFACE_CLUSTER_TASK_SECURITY_GROUP',
  /** The user id the task clusters (a container override set by the starter). */
  userId: 'RANKFACE_CLUSTER_USER_ID',
} as const;

export interface FargateTaskConfig {
  readonly faceLimit: number;
  readonly cluster: string;
  readonly taskDefinition: string;
  readonly container: string;
  readonly subnets: readonly string[];
  readonly securityGroup: string;
}

/** The task settings, or undefined when the stack deployed no large-user route (local runs, tests). */
export function readFargateTaskConfig(env: NodeJS.ProcessEnv = process.env): FargateTaskConfig | undefined {
  const cluster = env[LARGE_USER_ENV.cluster];
  if (!cluster) return undefined;
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set (the large-user route needs it with ${LARGE_USER_ENV.cluster})`);
    return v;
  };
  return {
    faceLimit: Number(env[LARGE_USER_ENV.faceLimit] ?? LARGE_USER_FACES),
    cluster,
    taskDefinition: need(LARGE_USER_ENV.taskDefinition),
    container: need(LARGE_USER_ENV.container),
    subnets: need(LARGE_USER_ENV.subnets).split(','),
    securityGroup: need(LARGE_USER_ENV.securityGroup),
  };
}

/** Starts the clustering task for one user at one flag version; returns its ARN. */
export type TaskStarter = (userId: string, version: number) => Promise<string>;

export function fargateStarter(config: FargateTaskConfig, ecs: ECSClient = new ECSClient({})): TaskStarter {
  return async (userId, version) => {
    const res = await ecs.send(
      new RunTaskCommand({
        cluster: config.cluster,
        taskDefinition: config.taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [...config.subnets],
            securityGroups: [config.securityGroup],
            assignPublicIp: 'ENABLED',
          },
        },
        overrides: {
          containerOverrides: [
            { name: config.container, environment: [{ name: LARGE_USER_ENV.userId, value: userId }] },
          ],
        },
        // Idempotency: a redelivered job for the same flag version starts no second task.
        clientToken: createHash('sha256').update(`${userId}\n${version}`).digest('hex'),
      }),
    );
    const arn = res.tasks?.[0]?.taskArn;
    if (!arn)
      throw new Error(
        `RunTask started no task: ${res.failures?.map((f) => `${f.arn ?? ''} ${f.reason ?? ''}`).join('; ') || 'no reason given'}`,
      );
    return arn;
  };
}

export interface LargeUserRoute {
  readonly faceLimit: number;
  readonly start: TaskStarter;
  /** How long the task may hold the user (its lease): the task's own time limit. */
  readonly leaseMs: number;
}

/** 'task' when the user is above the limit and a Fargate task now owns the run; 'lambda' otherwise. */
export async function routeClustering(
  userId: string,
  version: number,
  modelId: string,
  route: LargeUserRoute,
  deps: { faces: DynamoFaceStore; logger: Logger },
): Promise<'lambda' | 'task'> {
  const faces = await deps.faces.countVectors(userId, modelId);
  if (faces <= route.faceLimit) return 'lambda';
  await deps.faces.extendClustering(userId, route.leaseMs);
  const taskArn = await route.start(userId, version);
  deps.logger.info('clustering handed to a Fargate task', { userId, faces, limit: route.faceLimit, taskArn });
  return 'task';
}
