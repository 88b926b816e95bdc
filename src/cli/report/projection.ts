import { UMAP } from 'umap-js';
import { exactKnn } from '#core/cluster/knn/exact.ts';
import { seededRandom } from '#core/random.ts';

/** 2-D map of face vectors for the report (the notebook's t-SNE view): UMAP with cosine distance and
 * a seeded generator, so the same faces always give the same picture. Coordinates are scaled to
 * [0, 1]. Tiny sets (where UMAP's neighbour graph is meaningless) use the first two principal axes. */

export interface MapPoint {
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

/** Exact cosine neighbours from the core's blocked kNN (each pair scored once, bounded heaps), laid
 * out as umap-js expects: the point itself first, then its k-1 nearest. */
function cosineKnn(vectors: readonly Float32Array[], k: number): { indices: number[][]; distances: number[][] } {
  const n = vectors.length;
  const dim = vectors[0]!.length;
  const data = new Float32Array(n * dim);
  vectors.forEach((v, i) => {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += v[j]! * v[j]!;
    const inv = 1 / (Math.sqrt(norm) || 1);
    for (let j = 0; j < dim; j++) data[i * dim + j] = v[j]! * inv;
  });
  const graph = exactKnn({ data, n, dim }, k - 1);
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = [i];
    const dist = [0];
    for (let q = 0; q < graph.k; q++) {
      const j = graph.indices[i * graph.k + q]!;
      if (j < 0) break;
      row.push(j);
      dist.push(Math.max(0, graph.distances[i * graph.k + q]!));
    }
    indices.push(row);
    distances.push(dist);
  }
  return { indices, distances };
}

/** Projection on the first two principal axes (power iteration, deterministic start). */
function pca2(data: number[][]): number[][] {
  const n = data.length;
  const dim = data[0]?.length ?? 0;
  const mean = new Array<number>(dim).fill(0);
  for (const row of data) for (let j = 0; j < dim; j++) mean[j]! += row[j]! / n;
  const centred = data.map((row) => row.map((v, j) => v - mean[j]!));
  const axes: number[][] = [];
  for (let k = 0; k < 2; k++) {
    let v = Array.from({ length: dim }, (_, j) => Math.sin(j + 1 + k * 7));
    for (let iter = 0; iter < 50; iter++) {
      const next = new Array<number>(dim).fill(0);
      for (const row of centred) {
        const s = row.reduce((acc, x, j) => acc + x * v[j]!, 0);
        for (let j = 0; j < dim; j++) next[j]! += s * row[j]!;
      }
      for (const a of axes) {
        const s = next.reduce((acc, x, j) => acc + x * a[j]!, 0);
        for (let j = 0; j < dim; j++) next[j]! -= s * a[j]!;
      }
      const norm = Math.hypot(...next) || 1;
      v = next.map((x) => x / norm);
    }
    axes.push(v);
  }
  return centred.map((row) => axes.map((a) => row.reduce((acc, x, j) => acc + x * a[j]!, 0)));
}

/** Scale to [0, 1] on each axis, the longer spread horizontal (UMAP's axes mean nothing, and the
 * report's map is wider than tall). */
function normalise(coords: number[][]): number[][] {
  if (coords.length === 0) return [];
  const spread = (k: number): number => Math.max(...coords.map((c) => c[k]!)) - Math.min(...coords.map((c) => c[k]!));
  const oriented = spread(1) > spread(0) ? coords.map(([x, y]) => [y!, x!]) : coords;
  const scaled = [0, 1].map((k) => {
    const vs = oriented.map((c) => c[k]!);
    const min = Math.min(...vs);
    const max = Math.max(...vs);
    return vs.map((v) => (max === min ? 0.5 : (v - min) / (max - min)));
  });
  return oriented.map((_, i) => [scaled[0]![i]!, scaled[1]![i]!]);
}

export interface ProjectOptions {
  readonly seed?: number;
  /** Faces beyond this many are left off the map (UMAP time grows with n). */
  readonly maxPoints?: number;
}

export function projectFaces(
  faces: readonly { id: string; vector: Float32Array }[],
  options: ProjectOptions = {},
): MapPoint[] {
  const chosen = [...faces]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.maxPoints ?? 3000);
  const n = chosen.length;
  if (n === 0) return [];
  if (n === 1) return [{ id: chosen[0]!.id, x: 0.5, y: 0.5 }];
  let coords: number[][];
  if (n < 8) {
    coords = pca2(chosen.map((f) => Array.from(f.vector)));
  } else {
    const k = Math.max(2, Math.min(15, n - 1));
    const knn = cosineKnn(
      chosen.map((f) => f.vector),
      k,
    );
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: k,
      minDist: 0.25,
      // Fewer epochs than the default 500: the map is a picture, and this keeps big folders fast.
      nEpochs: n <= 1000 ? 200 : 120,
      random: seededRandom(options.seed ?? 42),
    });
    umap.setPrecomputedKNN(knn.indices, knn.distances);
    // With neighbours given, the input only seeds the search structures: 2 columns are enough.
    coords = umap.fit(chosen.map((f) => [f.vector[0]!, f.vector[1]!]));
  }
  return normalise(coords).map(([x, y], i) => ({
    id: chosen[i]!.id,
    x: Number(x!.toFixed(4)),
    y: Number(y!.toFixed(4)),
  }));
}
