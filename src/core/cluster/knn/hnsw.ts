// Loading the optional native index is the one Node built-in the clustering needs: synchronous
// and optional (exact search when the binary does not load), which a static import cannot be.
// eslint-disable-next-line no-restricted-imports -- see above
import { createRequire } from 'node:module';
import { dotRows } from './dot.ts';
import { RowHeaps } from './heap.ts';
import type { KnnGraph, KnnIndex, VectorMatrix } from './types.ts';

/** Approximate kNN: an HNSW graph from usearch (prebuilt N-API binary), inner-product metric on
 * L2-normalised rows, so its distance is exactly our cosine distance 1 - dot. */

interface UsearchMatches {
  readonly keys: BigUint64Array;
  readonly distances: Float32Array;
  readonly counts: BigUint64Array;
}
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vectors: Float32Array, k: number, threads: number): UsearchMatches;
}
interface UsearchModule {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => UsearchIndex;
  MetricKind: { IP: string; Cos: string };
  ScalarKind: { F32: string; F16: string; I8: string };
}

let loaded: UsearchModule | null | undefined;

/** usearch, or null when its native binary does not load on this platform (callers fall back to
 * exact search). */
export function loadUsearch(): UsearchModule | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('usearch') as UsearchModule;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

export interface HnswOptions {
  /** Graph degree (M). */
  readonly connectivity?: number;
  /** Beam width while building. */
  readonly expansionAdd?: number;
  /** Beam width while searching (raised to at least 2k). */
  readonly expansionSearch?: number;
  /** Native threads; 0 = all cores. One thread gives a reproducible graph. */
  readonly threads?: number;
  /** Storage/compute precision inside the index: 'f32' (default), 'f16' or 'i8' (4x less memory,
   * faster SIMD; neighbour distances are re-scored in f32 anyway). */
  readonly quantization?: 'f32' | 'f16' | 'i8';
}

export class HnswKnnIndex implements KnnIndex {
  readonly method = 'hnsw' as const;
  private index: UsearchIndex | null;

  constructor(
    private readonly m: VectorMatrix,
    private readonly options: HnswOptions = {},
  ) {
    const lib = loadUsearch();
    if (!lib) throw new Error('usearch native module is not available');
    this.index = new lib.Index({
      dimensions: m.dim,
      // i8 needs the cosine metric (it normalises); on unit vectors cos and IP rank alike.
      metric: options.quantization === 'i8' ? lib.MetricKind.Cos : lib.MetricKind.IP,
      quantization:
        options.quantization === 'i8'
          ? lib.ScalarKind.I8
          : options.quantization === 'f16'
            ? lib.ScalarKind.F16
            : lib.ScalarKind.F32,
      connectivity: options.connectivity ?? 16,
      expansion_add: options.expansionAdd ?? 64,
      expansion_search: options.expansionSearch ?? 64,
      multi: false,
    });
    const keys = new BigUint64Array(m.n);
    for (let i = 0; i < m.n; i++) keys[i] = BigInt(i);
    if (m.n > 0) this.index.add(keys, m.data, options.threads ?? 0);
  }

  neighbours(k: number): KnnGraph {
    if (!this.index) throw new Error('index disposed');
    const { n } = this.m;
    const kk = Math.max(0, Math.min(k, n - 1));
    const heaps = new RowHeaps(n, kk);
    if (kk > 0) {
      // Ask for one more (the row itself) and re-sort each row by (distance, index) so ties are
      // deterministic; search in slices to bound the result buffers.
      const want = Math.min(n, kk + 1);
      const slice = 65_536;
      for (let start = 0; start < n; start += slice) {
        const end = Math.min(n, start + slice);
        const res = this.index.search(
          this.m.data.subarray(start * this.m.dim, end * this.m.dim),
          want,
          this.options.threads ?? 0,
        );
        for (let q = 0; q < end - start; q++) {
          const row = start + q;
          const count = Number(res.counts[q]);
          for (let j = 0; j < count; j++) {
            const idx = Number(res.keys[q * want + j]);
            if (idx === row) continue;
            // Exact f32 cosine distance: the index's own may be quantised.
            heaps.push(row, idx, 1 - dotRows(this.m.data, row * this.m.dim, this.m.data, idx * this.m.dim, this.m.dim));
          }
        }
      }
    }
    const { indices, distances } = heaps.toGraph();
    return { n, k: kk, indices, distances };
  }

  dispose(): void {
    this.index = null;
  }
}
