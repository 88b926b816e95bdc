import type { FaceStore } from '#core/ports/face-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { WorkQueue } from '#core/ports/work-queue.ts';
import type { EmbedDeps } from './embed-faces.ts';
import { embedPhotoFaces } from './embed-faces.ts';

/** Model upgrade (issue 12): when the active embedder changes (another model id, or other weights
 * under the same id), every face is embedded again FROM ITS STORED CROP: no re-detection, so face
 * ids, and with them every edit (edits are by face and person, never by vector), stay. Vectors are
 * tagged with the model id and version (content hash) and every read asks for the active one, so
 * vectors of two models are never compared. The next clustering run then re-clusters with every
 * edit replayed (cluster-user.ts), keeping names and person ids; until then a face without a
 * vector of the active model stays in the person it was in.
 *
 * The plan is the same for both shells; the work differs: the CLI re-embeds in process
 * (`reembedPhotos`), the cloud sends one embed job per photo to the embed queue
 * (`enqueueEmbedderMigration`), whose handler re-embeds from the crops and flags the user for
 * clustering. Both are idempotent: once every face has a vector of the active model the plan is
 * empty and nothing is done. */

/** An embedder as its vectors name it: model id and version (package version + content hash). */
export interface EmbedderKey {
  readonly modelId: string;
  readonly modelVersion: string;
}

export interface MigrationPlan {
  /** Faces of analysed photos (error and deleted photos have none). */
  readonly faces: number;
  /** Faces that already have a vector of the active embedder. */
  readonly current: number;
  /** Photos with at least one face lacking such a vector, in id order. */
  readonly photoIds: readonly string[];
}

/** Which photos need their faces embedded again for `active`. Reads faces and the active model's
 * vectors only (the old model's vectors are never read). */
export async function planEmbedderMigration(
  userId: string,
  active: EmbedderKey,
  deps: { readonly faces: FaceStore },
): Promise<MigrationPlan> {
  const [faces, vectors] = await Promise.all([
    deps.faces.listFaces(userId),
    deps.faces.listVectors(userId, active.modelId, active.modelVersion),
  ]);
  const embedded = new Set(vectors.map((v) => v.faceId));
  const pending = new Set<string>();
  let current = 0;
  for (const f of faces) {
    if (embedded.has(f.faceId)) current++;
    else pending.add(f.photoId);
  }
  return { faces: faces.length, current, photoIds: [...pending].sort() };
}

export interface ReembedOutcome extends MigrationPlan {
  /** Faces given a vector of the active embedder by this call. */
  readonly reembedded: number;
}

/** The CLI's migration: re-embed the pending photos' faces from their crops with `deps.analyzer`
 * (which must be the active embedder). A face whose crop is missing keeps no vector; its photo is
 * then analysed again by the library sync, as any photo lacking vectors is. */
export async function reembedPhotos(userId: string, plan: MigrationPlan, deps: EmbedDeps): Promise<ReembedOutcome> {
  let reembedded = 0;
  for (const photoId of plan.photoIds) reembedded += await embedPhotoFaces(userId, photoId, deps);
  if (plan.photoIds.length > 0)
    deps.logger.info('faces re-embedded for a new model', { userId, photos: plan.photoIds.length, faces: reembedded });
  return { ...plan, reembedded };
}

export interface EnqueueMigrationDeps {
  readonly faces: FaceStore;
  readonly logger: Logger;
  /** The embed stage's queue: its handler re-embeds a photo's faces from their crops. */
  readonly embedQueue: WorkQueue;
}

export interface EnqueueOutcome extends MigrationPlan {
  /** Embed jobs sent (one per pending photo); 0 when the user is migrated. */
  readonly enqueued: number;
}

/** The cloud's migration of one user: one embed job (`{ userId, photoId }`, the embed stage's
 * message) per photo with faces lacking a vector of `active`. Running it again while jobs are in
 * flight sends them again (the embed stage is idempotent); once done it sends nothing. */
export async function enqueueEmbedderMigration(
  userId: string,
  active: EmbedderKey,
  deps: EnqueueMigrationDeps,
): Promise<EnqueueOutcome> {
  const plan = await planEmbedderMigration(userId, active, deps);
  await deps.embedQueue.send(plan.photoIds.map((photoId) => ({ userId, photoId })));
  deps.logger.info('embedder migration enqueued', {
    userId,
    modelId: active.modelId,
    modelVersion: active.modelVersion,
    faces: plan.faces,
    current: plan.current,
    photos: plan.photoIds.length,
  });
  return { ...plan, enqueued: plan.photoIds.length };
}
