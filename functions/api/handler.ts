import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { allowOriginFor, CROP_PREFIX, DEFAULT_MAX_UPLOAD_BYTES, UPLOAD_PREFIX } from '#config/aws.ts';
import type { WorkQueue } from '#core/ports/work-queue.ts';
import type { ErasedUser, ReclusterAnswer } from '#api/account-routes.ts';
import { readEngineConfig } from '#config/engine.ts';
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { createApiRouter, type ApiDeps, type ApiRequest } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { noMetrics, type StageMetrics } from '../shared/powertools.ts';
import { awsRuntime, lazyHandler, OWNER_METADATA, sqsQueue } from '../shared/runtime.ts';

/** API Gateway (REST, Cognito authorizer) → the shared router → API Gateway result. Every rule lives
 * in the router and the core use-cases; this file only adapts the event and the AWS dependencies. */

export interface ApiHandlerDeps {
  readonly blobs: S3BlobStore;
  readonly faces: DynamoFaceStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly presignSeconds: number;
  /** Largest upload the presigned POST accepts (RANKFACE_MAX_UPLOAD_BYTES). */
  readonly maxUploadBytes?: number;
  /** The stack's allowed origin for browsers (CORS); `*` only when the stack is configured so. */
  readonly corsOrigin?: string;
  /** The stack's CORS setting: each response allows the caller's origin only when it is listed. */
  readonly allowedOrigins?: readonly string[];
  /** Embedder whose vectors `GET /faces/{faceId}/why` compares. */
  readonly modelId?: string;
  /** Cluster jobs for `POST /recluster`; absent: the route answers 404. */
  readonly clusterQueue?: WorkQueue;
  /** Lease a queued clustering job holds the user for (the scheduler's setting). */
  readonly clusterLeaseSeconds?: number;
  readonly metrics?: StageMetrics;
  /** Tags log lines with API Gateway's request id. */
  readonly correlate?: (id: string | undefined) => void;
}

/** The AWS side of the router's dependencies: presigned crop and upload URLs, the clustering flag. */
export function awsApiDeps(deps: ApiHandlerDeps): ApiDeps {
  const { blobs, faces, presignSeconds } = deps;
  return {
    faces,
    clock: deps.clock,
    logger: deps.logger,
    corsOrigin: deps.corsOrigin ?? '*',
    cropUrl: (key) => blobs.presignGet(key, presignSeconds),
    // An edit changes people at once and requests a clustering run, which replays it.
    onEdited: (userId) => faces.markNeedsClustering(userId),
    createUpload: async (userId, fileName, contentType) => {
      // The key is built here from the caller's sub: a client cannot choose another prefix. An id
      // per upload makes it unique: a second photo named alike never replaces the first.
      const uploadId = randomBytes(8).toString('hex');
      const key = `${UPLOAD_PREFIX}${userId}/${uploadId}-${fileName}`;
      const metadata = { [OWNER_METADATA]: userId };
      const maxBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
      const [url, post] = await Promise.all([
        blobs.presignPut(key, presignSeconds, contentType, metadata),
        blobs.presignPost(key, presignSeconds, contentType, metadata, maxBytes),
      ]);
      const headers = { 'content-type': contentType, [`x-amz-meta-${OWNER_METADATA}`]: userId };
      return { key, url, method: 'PUT', headers, expiresIn: presignSeconds, uploadId, fileName, maxBytes, post };
    },
    eraseUser: (userId) => eraseUser(userId, deps),
    ...(deps.clusterQueue ? { requestRecluster: (userId: string) => requestRecluster(userId, deps, deps.clusterQueue!) } : {}),
    ...(deps.modelId ? { modelId: deps.modelId } : {}),
  };
}

/** Objects first (uploads, then crops, then their old versions), items last: an upload's removal event finds no photo and
 * asks for nothing (detect), and an erase cut short leaves items that a retry still finds. */
async function eraseUser(userId: string, { blobs, faces }: Pick<ApiHandlerDeps, 'blobs' | 'faces'>): Promise<ErasedUser> {
  const prefixes = [`${UPLOAD_PREFIX}${userId}/`, `${CROP_PREFIX}${encodeURIComponent(userId)}/`];
  const keys = (await Promise.all(prefixes.map((p) => blobs.list(p)))).flat();
  for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((k) => blobs.delete(k)));
  // The bucket is versioned: the deletes above leave old versions behind delete markers; purge them.
  for (const p of prefixes) await blobs.purgeVersions(p);
  return { objects: keys.length, items: await faces.eraseUser(userId) };
}

/** One on-demand run a minute per user: flag the user, and queue the job unless one is already
 * queued or running (that run sees the flag's new version and leaves it for the next). */
export const RECLUSTER_INTERVAL_MS = 60_000;

async function requestRecluster(userId: string, deps: ApiHandlerDeps, queue: WorkQueue): Promise<ReclusterAnswer> {
  const waitMs = await deps.faces.stampReclusterRequest(userId, RECLUSTER_INTERVAL_MS);
  if (waitMs > 0) return { queued: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
  await deps.faces.markNeedsClustering(userId);
  if (await deps.faces.claimClustering(userId, (deps.clusterLeaseSeconds ?? 900) * 1000)) await queue.send([{ userId }]);
  return { queued: true };
}

/** The caller is the Cognito user pool authorizer's `sub` claim: never a path, query or body field. */
function callerOf(event: APIGatewayProxyEvent): string | undefined {
  const sub = (event.requestContext?.authorizer as { claims?: { sub?: unknown } } | null | undefined)?.claims?.sub;
  return typeof sub === 'string' ? sub : undefined;
}

/** The request path rebuilt from the matched resource and its parameters, so the router sees one
 * encoding whatever the stage prefix or API Gateway's own path decoding. */
export function requestOf(event: APIGatewayProxyEvent): ApiRequest {
  const params = event.pathParameters ?? {};
  const decoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v ?? '']));
  const body = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.httpMethod,
    path: event.resource ? pathOf(event.resource, decoded) : event.path,
    query: event.queryStringParameters ?? {},
    body: body ?? null,
    userId: callerOf(event),
  };
}

export function createApiHandler(deps: ApiHandlerDeps): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const route = createApiRouter(awsApiDeps(deps));
  const metrics = deps.metrics ?? noMetrics;
  return async (event) => {
    deps.correlate?.(event.requestContext?.requestId);
    const started = performance.now();
    const out = await route(requestOf(event));
    metrics.ms('api', performance.now() - started);
    if (out.status >= 500) metrics.error(`http-${out.status}`);
    metrics.flush();
    const headers: Record<string, string> = { ...out.headers };
    if (deps.allowedOrigins) {
      const allowed = allowOriginFor({ allowedOrigins: deps.allowedOrigins }, event.headers?.origin ?? event.headers?.Origin);
      if (allowed) headers['access-control-allow-origin'] = allowed;
      else delete headers['access-control-allow-origin'];
    }
    return { statusCode: out.status, headers, body: out.body };
  };
}

export const handler = lazyHandler(async () => {
  const runtime = awsRuntime('api');
  const { config } = runtime;
  return createApiHandler({
    ...runtime, presignSeconds: config.presignSeconds, maxUploadBytes: config.maxUploadBytes, allowedOrigins: config.allowedOrigins, modelId: readEngineConfig().embedder,
    ...(config.clusterQueueUrl ? { clusterQueue: sqsQueue(config, 'clusterQueueUrl'), clusterLeaseSeconds: config.clusterLeaseSeconds } : {}),
  });
});
