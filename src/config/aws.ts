import { numberFromEnv } from '#config/env.ts';

/** Settings of the Lambda handlers (and `npm run local`), read from the environment once per
 * process. Each function's environment is set by the CDK stack (infra/); a function reads only the
 * settings it uses, through `required`, so a missing variable fails at cold start with its name. */
export interface AwsConfig {
  readonly region: string;
  /** Set when talking to an emulator or LocalStack (SDK v3 itself reads AWS_ENDPOINT_URL[_S3|_DYNAMODB]);
   * path-style S3 addressing is then required, since emulators have no virtual-host DNS. */
  readonly endpointOverride: boolean;
  /** Set when SQS is an emulator or LocalStack: its queue URLs' host names (e.g.
   * `sqs.us-east-1.localhost`) do not resolve, so the client must send to the endpoint instead. */
  readonly sqsEndpointOverride: boolean;
  readonly bucket?: string;
  readonly table?: string;
  /** Queue that detect sends one message per detected photo to (the embed trigger). */
  readonly embedQueueUrl?: string;
  /** Detect embeds the faces in the same invocation (one pass: no crop read-back, no embed job)
   * instead of queueing an embed job. The stack sets it (docs/benchmarks.md, cost). */
  readonly embedInline: boolean;
  /** Queue of per-user clustering jobs (the cluster fan-out). */
  readonly clusterQueueUrl?: string;
  /** Lifetime of presigned crop and upload URLs. */
  readonly presignSeconds: number;
  /** Largest upload the presigned URL is issued for (the client states the size). */
  readonly maxUploadBytes: number;
  /** How long a claimed clustering job blocks re-enqueueing of the same user. */
  readonly clusterLeaseSeconds: number;
  /** Browser origins the stack allows (its CORS setting); `['*']` allows any. The API answers
   * `access-control-allow-origin` from this list, never `*` when the stack names origins. */
  readonly allowedOrigins: readonly string[];
}

export const UPLOAD_PREFIX = 'uploads/';
/** The upload limit when RANKFACE_MAX_UPLOAD_BYTES is not set. */
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const CROP_PREFIX = 'faces/';

/** Names of the environment variables the stack sets (also used by infra/, so they cannot drift). */
export const ENV = {
  bucket: 'RANKFACE_BUCKET',
  table: 'RANKFACE_TABLE',
  embedQueueUrl: 'RANKFACE_EMBED_QUEUE_URL',
  embedInline: 'RANKFACE_EMBED_INLINE',
  clusterQueueUrl: 'RANKFACE_CLUSTER_QUEUE_URL',
  presignSeconds: 'RANKFACE_PRESIGN_SECONDS',
  maxUploadBytes: 'RANKFACE_MAX_UPLOAD_BYTES',
  clusterLeaseSeconds: 'RANKFACE_CLUSTER_LEASE_SECONDS',
  allowedOrigins: 'RANKFACE_ALLOWED_ORIGINS',
} as const;

const opt = (env: NodeJS.ProcessEnv, name: string): string | undefined => (env[name] ? env[name] : undefined);

export function readAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const bucket = opt(env, ENV.bucket);
  const table = opt(env, ENV.table);
  const embedQueueUrl = opt(env, ENV.embedQueueUrl);
  const clusterQueueUrl = opt(env, ENV.clusterQueueUrl);
  return Object.freeze({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpointOverride: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3),
    sqsEndpointOverride: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_SQS),
    ...(bucket ? { bucket } : {}),
    ...(table ? { table } : {}),
    ...(embedQueueUrl ? { embedQueueUrl } : {}),
    ...(clusterQueueUrl ? { clusterQueueUrl } : {}),
    embedInline: env[ENV.embedInline] === '1',
    presignSeconds: numberFromEnv(env, ENV.presignSeconds, 900),
    maxUploadBytes: numberFromEnv(env, ENV.maxUploadBytes, DEFAULT_MAX_UPLOAD_BYTES),
    clusterLeaseSeconds: numberFromEnv(env, ENV.clusterLeaseSeconds, 15 * 60),
    allowedOrigins: Object.freeze(
      (env[ENV.allowedOrigins] ?? '*')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  });
}

/** The `access-control-allow-origin` to answer a request from `requestOrigin` with: `*` when any
 * origin is allowed, the request's origin when it is in the list, else none (the browser blocks). */
export function allowOriginFor(
  config: Pick<AwsConfig, 'allowedOrigins'>,
  requestOrigin: string | undefined,
): string | undefined {
  if (config.allowedOrigins.includes('*')) return '*';
  return requestOrigin !== undefined && config.allowedOrigins.includes(requestOrigin) ? requestOrigin : undefined;
}

/** A setting this function cannot run without. */
export function required<K extends 'bucket' | 'table' | 'embedQueueUrl' | 'clusterQueueUrl'>(
  config: AwsConfig,
  key: K,
): string {
  const value = config[key];
  if (!value) throw new Error(`${ENV[key]} is not set: this function needs it`);
  return value;
}
