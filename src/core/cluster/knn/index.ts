import { ExactKnnIndex } from './exact.ts';
import { HnswKnnIndex, loadUsearch, type HnswOptions } from './hnsw.ts';
import type { KnnGraph, KnnIndex, KnnMethod, VectorMatrix } from './types.ts';

export type { KnnGraph, KnnIndex, KnnMethod, VectorMatrix } from './types.ts';
export { exactKnn, exactKnnRows, distanceMatrix, knnFromMatrix } from './exact.ts';

/** From this many rows, 'auto' uses HNSW: measured crossover of exact blocked search (O(n^2 d))
 * vs usearch build+search on a 2-core machine at 512-D (see docs/clustering.md). */
export const HNSW_MIN_ROWS = 3_000;
/** Below this many rows the HNSW graph is built on one thread, so the result is reproducible; above
 * it all cores are used and the graph (hence rare neighbour-list ties) may vary run to run. */
export const HNSW_SINGLE_THREAD_MAX_ROWS = 50_000;

export interface KnnOptions extends HnswOptions {
  readonly method?: KnnMethod | 'auto';
}

/** One entry point: exact for small n (or when usearch cannot load), HNSW for large n. */
export function createKnnIndex(m: VectorMatrix, options: KnnOptions = {}): KnnIndex {
  const method = options.method ?? 'auto';
  const wantHnsw = method === 'hnsw' || (method === 'auto' && m.n >= HNSW_MIN_ROWS);
  if (wantHnsw && loadUsearch()) {
    // Large n: a sparser graph and narrower beams (recall@10 ~0.92 instead of ~0.96 at 20K rows)
    // keep 100K faces well inside two minutes on two cores; rank-order needs the near neighbours
    // most, which HNSW finds first. And int8 storage inside the index: once the vectors outgrow the
    // caches the build is bound by memory traffic (each visited node reads its whole vector), and
    // 512 bytes per row instead of 2 KB made the 100K build 4x faster (116.7 s -> 28.8 s, search
    // 62.7 s -> 32.9 s, recall@10 0.832 -> 0.827; bench/lib/hnsw-probe.ts); the lists are re-scored
    // in f32 below, so only which neighbours are found can change, not their distances.
    const large = m.n > HNSW_SINGLE_THREAD_MAX_ROWS;
    return new HnswKnnIndex(m, {
      threads: large ? 0 : 1,
      connectivity: large ? 12 : 16,
      expansionAdd: large ? 40 : 64,
      expansionSearch: large ? 40 : 64,
      ...(large ? { quantization: 'i8' as const } : {}),
      ...options,
    });
  }
  return new ExactKnnIndex(m);
}

/** Share of the exact k nearest neighbours that the approximate lists found, over a sample of rows:
 * `exact` holds one row per sampled row (see exactKnnRows), `approx` is the full graph. */
export function knnRecall(exact: KnnGraph, approx: KnnGraph, rows: readonly number[]): number {
  let hit = 0;
  let total = 0;
  const k = exact.k;
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q];
    const truth = new Set<number>();
    for (let j = 0; j < k; j++) {
      const v = exact.indices[q * k + j];
      if (v >= 0) truth.add(v);
    }
    for (let j = 0; j < approx.k; j++) if (truth.has(approx.indices[r * approx.k + j])) hit++;
    total += truth.size;
  }
  return total === 0 ? 1 : hit / total;
}

/** The first k' <= k neighbours of every row (lists are sorted, so this is the k'-NN graph). */
export function truncateKnn(g: KnnGraph, k: number): KnnGraph {
  if (k >= g.k) return g;
  const indices = new Int32Array(g.n * k);
  const distances = new Float32Array(g.n * k);
  for (let r = 0; r < g.n; r++) {
    indices.set(g.indices.subarray(r * g.k, r * g.k + k), r * k);
    distances.set(g.distances.subarray(r * g.k, r * g.k + k), r * k);
  }
  return { n: g.n, k, indices, distances };
}
