import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { readAwsConfig, required, type AwsConfig } from '#config/aws.ts';
import { createDynamoClient, createS3Client, createSqsClient } from '#adapters/aws/clients.ts';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { systemClock, type Clock } from '#core/ports/clock.ts';
import { jsonLogger, type Logger } from '#core/ports/logger.ts';
import { emfMetrics, noMetrics, powertoolsLogger, readPowertoolsConfig, type StageMetrics } from './powertools.ts';
import { dynamoIdempotency, noIdempotency, type IdempotentRuns } from './idempotency.ts';
import { IDEMPOTENCY_TABLE_ENV } from './idempotency-table.ts';
import { lambdaTracing, noTracing, tracingWanted, type StageTracing } from './tracing.ts';

/** Adapters every function builds from its environment at cold start. */
export interface AwsRuntime {
  readonly config: AwsConfig;
  readonly blobs: S3BlobStore;
  readonly faces: DynamoFaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Stage metrics (EMF through Powertools in Lambda; none elsewhere). */
  readonly metrics?: StageMetrics;
  /** Tags the logger's lines with the message or request being handled. */
  readonly correlate?: (id: string | undefined) => void;
  /** X-Ray through Powertools' tracer in Lambda; `noTracing` elsewhere. */
  readonly tracing?: StageTracing;
}

/** In Lambda, logs and metrics go through Powertools (service and namespace from the stack's
 * environment); elsewhere (npm run local, tests, benches) the plain JSON logger on stderr. */
function observability(fn: string, env: NodeJS.ProcessEnv): Pick<AwsRuntime, 'logger' | 'metrics' | 'correlate'> {
  const powertools = readPowertoolsConfig(fn, env);
  if (!powertools.inLambda) return { logger: jsonLogger({ fn }), metrics: noMetrics };
  const logger = powertoolsLogger(powertools);
  return { logger, metrics: emfMetrics(powertools), correlate: logger.correlate };
}

/** The adapters, their SDK clients captured by `tracing` (none by default: tests, local, benches). */
export function awsRuntime(
  fn: string,
  env: NodeJS.ProcessEnv = process.env,
  tracing: StageTracing = noTracing,
): AwsRuntime {
  const config = readAwsConfig(env);
  return {
    config,
    blobs: new S3BlobStore(tracing.capture(createS3Client(config)), required(config, 'bucket')),
    faces: new DynamoFaceStore(tracing.capture(createDynamoClient(config)), required(config, 'table')),
    clock: systemClock,
    tracing,
    ...observability(fn, env),
  };
}

/** What a function's cold start builds: `awsRuntime` with X-Ray tracing when it runs in Lambda
 * with tracing on. The tracer is imported only then, so nothing else pays for the X-Ray SDK. */
export async function lambdaRuntime(fn: string, env: NodeJS.ProcessEnv = process.env): Promise<AwsRuntime> {
  const tracing = tracingWanted(env) ? await lambdaTracing(readPowertoolsConfig(fn, env).service) : noTracing;
  return awsRuntime(fn, env, tracing);
}

export const sqsQueue = (
  config: AwsConfig,
  key: 'embedQueueUrl' | 'clusterQueueUrl',
  tracing: StageTracing = noTracing,
): SqsWorkQueue => new SqsWorkQueue(tracing.capture(createSqsClient(config)), required(config, key));

/** A handler as Lambda calls it: the event and, in Lambda, the invocation's context. */
export type LambdaHandler<E, R> = (event: E, context?: Context) => Promise<R>;

/** Build a handler once per process (cold start), on first invocation: module import stays cheap
 * and the environment is read when the function actually runs. */
export function lazyHandler<E, R>(build: () => Promise<LambdaHandler<E, R>>): LambdaHandler<E, R> {
  let built: Promise<LambdaHandler<E, R>> | undefined;
  return async (event: E, context?: Context) => {
    built ??= build().catch((err: unknown) => {
      built = undefined; // let the next invocation retry a failed cold start
      throw err;
    });
    return (await built)(event, context);
  };
}

/** Lambda's longest run: what an in-progress record blocks when no invocation context says less. */
const LAMBDA_MAX_MS = 15 * 60 * 1000;

/** The idempotency layer of a queue consumer when the stack gave it a table (IDEMPOTENCY_TABLE_ENV),
 * else none. In Lambda, each invocation's context bounds its in-progress records instead. */
export function idempotencyOf(
  runtime: Pick<AwsRuntime, 'config' | 'tracing'>,
  scope: string,
  env: NodeJS.ProcessEnv = process.env,
  inProgressMs = LAMBDA_MAX_MS,
): IdempotentRuns {
  const table = env[IDEMPOTENCY_TABLE_ENV];
  if (!table) return noIdempotency;
  const client = (runtime.tracing ?? noTracing).capture(createDynamoClient(runtime.config));
  return dynamoIdempotency({ client, table, scope, inProgressMs });
}

/** User ids are Cognito `sub`s (UUIDs); anything outside this alphabet is refused before it reaches
 * a key. */
export const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface UploadKey {
  readonly userId: string;
  readonly photoId: string;
  readonly key: string;
}

/** S3 event keys are form-encoded (space as '+', then percent-encoding). */
export const decodeS3Key = (raw: string): string => decodeURIComponent(raw.replace(/\+/g, ' '));

/** The photo id of an S3 upload: derived from its key (not its content), so an ObjectRemoved event,
 * which has no content, finds the same photo. */
export const photoIdOfKey = (key: string): string =>
  createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 24);

/** `uploads/<userId>/<name>` → user and photo, or a reason the key is refused. */
export function parseUploadKey(key: string): UploadKey | { readonly reject: string } {
  const m = /^uploads\/([^/]+)\/(.+)$/.exec(key);
  if (!m) return { reject: 'key is not under uploads/<userId>/' };
  const userId = m[1]!;
  if (!USER_ID.test(userId)) return { reject: 'user id segment is not a valid user id' };
  if (m[2]!.split('/').some((s) => s === '' || s === '.' || s === '..'))
    return { reject: 'file name has empty or dot segments' };
  return { userId, photoId: photoIdOfKey(key), key };
}

/** Metadata name the presigned upload signs with the caller's sub; detect cross-checks it. */
export const OWNER_METADATA = 'owner';
