import { dotRows } from './dot.ts';
import { RowHeaps } from './heap.ts';
import type { KnnGraph, KnnIndex, VectorMatrix } from './types.ts';

/** Rows per block: two blocks of 64 x 512 floats (256 KB) stay in L2 while every pair between them
 * is scored. */
const BLOCK = 64;

/** Exact kNN: every pair scored once (blocked, symmetric), each row's best k kept in a bounded heap.
 * O(n^2 d) time, O(n k) memory. */
export function exactKnn(m: VectorMatrix, k: number): KnnGraph {
  const { data, n, dim } = m;
  const kk = Math.max(0, Math.min(k, n - 1));
  const heaps = new RowHeaps(n, kk);
  if (kk > 0) {
    for (let ib = 0; ib < n; ib += BLOCK) {
      const iEnd = Math.min(n, ib + BLOCK);
      for (let jb = ib; jb < n; jb += BLOCK) {
        const jEnd = Math.min(n, jb + BLOCK);
        for (let i = ib; i < iEnd; i++) {
          const io = i * dim;
          for (let j = jb === ib ? i + 1 : jb; j < jEnd; j++) {
            const d = 1 - dotRows(data, io, data, j * dim, dim);
            if (d <= heaps.bound(i)) heaps.push(i, j, d);
            if (d <= heaps.bound(j)) heaps.push(j, i, d);
          }
        }
      }
    }
  }
  const { indices, distances } = heaps.toGraph();
  return { n, k: kk, indices, distances };
}

/** Full pairwise cosine-distance matrix (n x n float32): what exact rank-order clustering and the
 * small-n baselines start from. */
export function distanceMatrix(m: VectorMatrix): Float32Array {
  const { data, n, dim } = m;
  const out = new Float32Array(n * n);
  for (let ib = 0; ib < n; ib += BLOCK) {
    const iEnd = Math.min(n, ib + BLOCK);
    for (let jb = ib; jb < n; jb += BLOCK) {
      const jEnd = Math.min(n, jb + BLOCK);
      for (let i = ib; i < iEnd; i++) {
        const io = i * dim;
        for (let j = jb === ib ? i + 1 : jb; j < jEnd; j++) {
          const d = 1 - dotRows(data, io, data, j * dim, dim);
          out[i * n + j] = d;
          out[j * n + i] = d;
        }
      }
    }
  }
  return out;
}

/** kNN lists read from a full distance matrix. */
export function knnFromMatrix(dist: Float32Array, n: number, k: number): KnnGraph {
  const kk = Math.max(0, Math.min(k, n - 1));
  const heaps = new RowHeaps(n, kk);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = dist[row + j];
      if (d <= heaps.bound(i)) heaps.push(i, j, d);
    }
  }
  const { indices, distances } = heaps.toGraph();
  return { n, k: kk, indices, distances };
}

export class ExactKnnIndex implements KnnIndex {
  readonly method = 'exact' as const;
  constructor(private readonly m: VectorMatrix) {}
  neighbours(k: number): KnnGraph {
    return exactKnn(this.m, k);
  }
  dispose(): void {}
}

/** Exact k nearest neighbours of a few rows only (O(rows * n * d)): ground truth for measuring an
 * approximate index's recall on a sample. Returned graph has one row per requested row, in order. */
export function exactKnnRows(m: VectorMatrix, rows: readonly number[], k: number): KnnGraph {
  const { data, n, dim } = m;
  const kk = Math.max(0, Math.min(k, n - 1));
  const heaps = new RowHeaps(rows.length, kk);
  rows.forEach((r, q) => {
    const ro = r * dim;
    for (let j = 0; j < n; j++) {
      if (j === r) continue;
      const d = 1 - dotRows(data, ro, data, j * dim, dim);
      if (d <= heaps.bound(q)) heaps.push(q, j, d);
    }
  });
  const { indices, distances } = heaps.toGraph();
  return { n: rows.length, k: kk, indices, distances };
}
