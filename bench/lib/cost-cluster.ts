/** Clustering cost at several library sizes, measured (not scaled from one run): a synthetic user
 * of n faces is written to the DynamoDB emulator (face items and vectors, as detect and embed
 * write them), then the cluster worker's use case runs on it: read vectors, faces, edits and
 * people, cluster, write people. A power law fitted to the measured points prices other sizes. */
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusterUser } from '#core/pipeline/cluster-user.ts';
import { defaultClusterer } from '#core/pipeline/deps.ts';
import type { FaceRecord, VectorRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { systemClock } from '#core/ports/clock.ts';
import { measureStage, type RequestCounter, type StageMeasure } from './cost-measure.ts';

export interface ClusterPoint extends StageMeasure {
  readonly faces: number;
}

/** Photo ids are hex digests in the cloud (the key's hash): keep that shape so the parallel vector
 * read splits the synthetic user as it splits a real one. */
const hexPhotoId = (i: number): string =>
  ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + String(i).padStart(16, '0');

async function writeSyntheticUser(store: DynamoFaceStore, userId: string, n: number, modelId: string): Promise<void> {
  const set = syntheticFaces({ faces: n, seed: n, modelId });
  const byPhoto = new Map<string, { faces: FaceRecord[]; vectors: VectorRecord[] }>();
  set.faces.forEach((f, i) => {
    const photoId = hexPhotoId(Number(f.photoId.replace(/\D/g, '')) || i);
    const entry = byPhoto.get(photoId) ?? { faces: [], vectors: [] };
    const faceId = `${photoId}#${String(entry.faces.length).padStart(3, '0')}`;
    entry.faces.push({
      userId,
      faceId,
      photoId,
      box: [100.5, 200.25, 180, 180],
      score: 0.99,
      landmarks: [
        [130, 250],
        [210, 250],
        [170, 290],
        [140, 330],
        [200, 330],
      ],
      quality: { sizePx: 180, sharpness: 321.5, yaw: -4.2, pitch: 2.1, roll: 0.7 },
      cropKey: `faces/${userId}/${photoId}/${String(entry.faces.length).padStart(3, '0')}.png`,
    });
    entry.vectors.push({ userId, faceId, photoId, modelId, modelVersion: '1', vector: f.vector });
    byPhoto.set(photoId, entry);
  });
  const photos = [...byPhoto.entries()];
  // Several photos at a time, as many embed invocations would.
  for (let i = 0; i < photos.length; i += 16) {
    await Promise.all(
      photos.slice(i, i + 16).map(async ([photoId, e]) => {
        await store.replaceFaces(userId, photoId, e.faces);
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
  await writeSyntheticUser(store, 'cluster-bench-warmup', 300, modelId);
  await clusterUser('cluster-bench-warmup', {
    faces: store,
    clock: systemClock,
    logger: silentLogger,
    modelId,
    cluster: defaultClusterer,
  });
  for (const n of sizes) {
    const userId = `cluster-bench-${n}`;
    await writeSyntheticUser(store, userId, n, modelId);
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
