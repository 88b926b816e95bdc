/** Clustering cost at several library sizes, measured (not scaled from one run): a synthetic user
 * of n faces is written to the DynamoDB emulator (face items and vectors, as detect and embed
 * write them), clustered once with its last tenth of photos still to come, then those arrive and
 * the cluster worker's use case runs again, measured: read vectors, faces, edits and people,
 * cluster, write what changed. A power law fitted to the measured points prices other sizes. */
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusterUser } from '#core/pipeline/cluster-user.ts';
import { defaultClusterer } from '#core/pipeline/deps.ts';
import type { FaceRecord, VectorRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { systemClock } from '#core/ports/clock.ts';
import { placeholderFace } from '#test/helpers/placeholder-face.ts';
import { measureStage, type RequestCounter, type StageMeasure } from './cost-measure.ts';

/** Runs over a library's life in the cost model (a library arriving in tenths). */
const RUNS_PER_LIBRARY = 10;

export interface ClusterPoint extends StageMeasure {
  readonly faces: number;
}

/** Photo ids are hex digests in the cloud (the key's hash): keep that shape so the parallel vector
 * read splits the synthetic user as it splits a real one. */
const hexPhotoId = (i: number): string =>
  ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + String(i).padStart(16, '0');

/** The synthetic user's photos, each with its faces and vectors, in a fixed order. */
function syntheticPhotos(
  userId: string,
  n: number,
  modelId: string,
): [string, { faces: FaceRecord[]; vectors: VectorRecord[] }][] {
  const set = syntheticFaces({ faces: n, seed: n, modelId });
  const byPhoto = new Map<string, { faces: FaceRecord[]; vectors: VectorRecord[] }>();
  set.faces.forEach((f, i) => {
    const photoId = hexPhotoId(Number(f.photoId.replace(/\D/g, '')) || i);
    const entry = byPhoto.get(photoId) ?? { faces: [], vectors: [] };
    const face = placeholderFace(userId, photoId, entry.faces.length);
    entry.faces.push(face);
    entry.vectors.push({ userId, faceId: face.faceId, photoId, modelId, modelVersion: '1', vector: f.vector });
    byPhoto.set(photoId, entry);
  });
  return [...byPhoto.entries()];
}

/** Write photos as detect and embed would, several at a time (as many invocations would). */
async function writePhotos(
  store: DynamoFaceStore,
  photos: readonly [string, { faces: FaceRecord[]; vectors: VectorRecord[] }][],
): Promise<void> {
  for (let i = 0; i < photos.length; i += 16) {
    await Promise.all(
      photos.slice(i, i + 16).map(async ([photoId, e]) => {
        await store.replaceFaces(e.faces[0]!.userId, photoId, e.faces);
        await store.putVectors(e.vectors);
      }),
    );
  }
}

export async function measureClusterSizes(
  store: DynamoFaceStore,
  counter: RequestCounter,
  sizes: readonly number[],
  modelId: string,
): Promise<ClusterPoint[]> {
  const points: ClusterPoint[] = [];
  // Warm-up (not recorded): the first run pays module loading and JIT compilation, which a warm
  // Lambda does not (and the cold start is priced apart).
  await writePhotos(store, syntheticPhotos('cluster-bench-warmup', 300, modelId));
  await clusterUser('cluster-bench-warmup', {
    faces: store,
    clock: systemClock,
    logger: silentLogger,
    modelId,
    cluster: defaultClusterer,
  });
  for (const n of sizes) {
    const userId = `cluster-bench-${n}`;
    // What the model prices: a run over the library so far, whose earlier photos a previous run
    // already clustered (its people and memberships stored): the last tenth of the photos arrives
    // after that run (the 10th run of a library arriving 100 photos at a time). A store that writes
    // only what changed pays for the new faces; one that rewrites every person pays for all.
    const photos = syntheticPhotos(userId, n, modelId);
    const earlier = Math.round(photos.length * (1 - 1 / RUNS_PER_LIBRARY));
    await writePhotos(store, photos.slice(0, earlier));
    await clusterUser(userId, {
      faces: store,
      clock: systemClock,
      logger: silentLogger,
      modelId,
      cluster: defaultClusterer,
    });
    await writePhotos(store, photos.slice(earlier));
    const m = await measureStage(counter, () =>
      clusterUser(userId, {
        faces: store,
        clock: systemClock,
        logger: silentLogger,
        modelId,
        cluster: defaultClusterer,
      }),
    );
    points.push({ faces: n, ...m });
  }
  return points;
}

/** Least-squares fit of y = a * n^b in log space. */
export function powerLaw(points: readonly { n: number; y: number }[]): {
  a: number;
  b: number;
  at: (n: number) => number;
} {
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(Math.max(p.y, 1e-9)));
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const b = sxx > 0 ? sxy / sxx : 1;
  const a = Math.exp(my - b * mx);
  return { a, b, at: (n) => a * n ** b };
}
