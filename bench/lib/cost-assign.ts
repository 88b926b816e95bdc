/** Incremental assignment's cost at several library sizes, measured: one new photo with one face
 * is written into a user who already has n faces in people (the users measureClusterSizes
 * clustered, and an empty one), then the embed stage's step, assignPhotoFaces, runs on it. Its
 * DynamoDB reads are what every uploaded photo pays on top of detect and embed. */
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { calibrationFor } from '#config/calibration.ts';
import { assignPhotoFaces } from '#core/pipeline/assign-new-faces.ts';
import { sameCalibrationOf, type SameCalibration } from '#core/pipeline/calibration.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { systemClock } from '#core/ports/clock.ts';
import { placeholderFace } from '#test/helpers/placeholder-face.ts';
import { measureStage, type RequestCounter, type StageMeasure } from './cost-measure.ts';

export interface AssignPoint extends StageMeasure {
  /** Faces the user had before the photo. */
  readonly faces: number;
  /** People the user had before the photo. */
  readonly people: number;
  /** A second new photo right after, in the same store instance (a warm Lambda container that
   * holds the user's exemplars since the first). */
  readonly warm: StageMeasure;
}

/** The shipped curves of the model (any version: the synthetic users' vectors carry version '1');
 * a stand-in curve when the model was never fitted (the reads, which this prices, are the same). */
function anyVersionCalibration(modelId: string): SameCalibration {
  const c = calibrationFor(modelId);
  if (!c)
    return sameCalibrationOf(modelId, {
      face: { a: 20, b: -10 },
      person: { a: 20, b: -10, topK: 3 },
      joinThreshold: 0.9999,
    });
  return {
    modelId,
    face: c.face,
    person: c.person,
    personSimilarity: c.personSimilarity,
    joinThreshold: c.joinThreshold,
  };
}

/** One new photo (one face, a vector near an existing face: a likely join) into `userId`. */
async function addPhoto(store: DynamoFaceStore, userId: string, modelId: string, photoId: string): Promise<void> {
  const existing = (await store.listVectors(userId, modelId))[0];
  const dim = existing?.vector.length ?? 512;
  const vector = new Float32Array(dim);
  for (let i = 0; i < dim; i++) vector[i] = (existing?.vector[i] ?? 0) + Math.sin(i * 7.1) * 0.01;
  const norm = Math.hypot(...vector) || 1;
  for (let i = 0; i < dim; i++) vector[i] = vector[i]! / norm || 1 / Math.sqrt(dim);
  const face = placeholderFace(userId, photoId, 0);
  await store.replaceFaces(userId, photoId, [face]);
  await store.putVectors([{ userId, faceId: face.faceId, photoId, modelId, modelVersion: '1', vector }]);
}

/** Assignment of one new photo into each of `users` (their face counts given), measured. */
export async function measureAssignSizes(
  store: DynamoFaceStore,
  counter: RequestCounter,
  users: readonly { readonly userId: string; readonly faces: number }[],
  modelId: string,
): Promise<AssignPoint[]> {
  const calibration = anyVersionCalibration(modelId);
  const points: AssignPoint[] = [];
  const deps = { faces: store, clock: systemClock, logger: silentLogger, calibration };
  for (const u of users) {
    const photoIds = ['f', 'e'].map((c) => c.repeat(8) + String(u.faces).padStart(16, '0'));
    for (const photoId of photoIds) await addPhoto(store, u.userId, modelId, photoId);
    const people = (await store.listPeople(u.userId)).length;
    const m = await measureStage(counter, () => assignPhotoFaces(u.userId, photoIds[0]!, deps));
    const warm = await measureStage(counter, () => assignPhotoFaces(u.userId, photoIds[1]!, deps));
    points.push({ faces: u.faces, people, ...m, warm });
  }
  return points;
}

/** Least-squares line y = a + b·n (reads grow linearly with the library when every vector is read). */
export function linearFit(points: readonly { n: number; y: number }[]): {
  a: number;
  b: number;
  at: (n: number) => number;
} {
  const mx = points.reduce((s, p) => s + p.n, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  const sxx = points.reduce((s, p) => s + (p.n - mx) ** 2, 0);
  const b = sxx > 0 ? points.reduce((s, p) => s + (p.n - mx) * (p.y - my), 0) / sxx : 0;
  const a = my - b * mx;
  return { a, b, at: (n) => Math.max(0, a + b * n) };
}

/** Library sizes (faces) the report states the per-photo assignment cost at. */
export const ASSIGN_REPORT_SIZES = [0, 1_000, 10_000, 100_000] as const;
