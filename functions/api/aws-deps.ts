import { randomBytes } from 'node:crypto';
import { CROP_PREFIX, DEFAULT_MAX_UPLOAD_BYTES, UPLOAD_PREFIX } from '#config/aws.ts';
import type { WorkQueue } from '#core/ports/work-queue.ts';
import type { ErasedUser, ReclusterAnswer } from '#api/account-routes.ts';
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import { LAMBDA_LIST_BODY_BYTES } from '#api/pagination.ts';
import type { ApiDeps } from '#api/router.ts';
import type { StageMetrics } from '../shared/powertools.ts';
import { OWNER_METADATA } from '../shared/runtime.ts';
import type { StageTracing } from '../shared/tracing.ts';
import type { UserRateLimiter } from './user-rate-limit.ts';

/** The API Lambda's AWS dependencies and what the shared router gets from them: presigned crop and
 * upload URLs, account erasure over S3 and DynamoDB, on-demand clustering through the queue. */

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
  /** X-Ray subsegment per request, annotated with the caller (Lambda only). */
  readonly tracing?: StageTracing;
  /** Each caller's requests per window (user-rate-limit.ts); absent: no per-user limit. */
  readonly userRateLimiter?: UserRateLimiter;
  /** Tags log lines with API Gateway's request id. */
  readonly correlate?: (id: string | undefined) => void;
  /** Byte budget of a list answer (default: under Lambda's 6 MB response limit). */
  readonly maxListBodyBytes?: number;
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
    ...(deps.clusterQueue
      ? { requestRecluster: (userId: string) => requestRecluster(userId, deps, deps.clusterQueue!) }
      : {}),
    ...(deps.modelId ? { modelId: deps.modelId } : {}),
    maxListBodyBytes: deps.maxListBodyBytes ?? LAMBDA_LIST_BODY_BYTES,
  };
}

/** Objects first (uploads, then crops, then their old versions), items last: an upload's removal event finds no photo and
 * asks for nothing (detect), and an erase cut short leaves items that a retry still finds. */
async function eraseUser(
  userId: string,
  { blobs, faces }: Pick<ApiHandlerDeps, 'blobs' | 'faces'>,
): Promise<ErasedUser> {
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
  if (await deps.faces.claimClustering(userId, (deps.clusterLeaseSeconds ?? 900) * 1000))
    await queue.send([{ userId }]);
  return { queued: true };
}
