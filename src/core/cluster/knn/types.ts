/** k-nearest-neighbour lists over L2-normalised vectors, cosine distance (1 - dot product). */

/** Row-major packed vectors: `n` rows of `dim` floats in one buffer, each row L2-normalised. */
export interface VectorMatrix {
  readonly data: Float32Array;
  readonly n: number;
  readonly dim: number;
}

/** For each row its `k` nearest other rows (self excluded), nearest first, ties by smaller index.
 * Rows with fewer than k other rows are padded with index -1 and distance +Infinity. */
export interface KnnGraph {
  readonly n: number;
  readonly k: number;
  readonly indices: Int32Array;
  readonly distances: Float32Array;
}

export type KnnMethod = 'exact' | 'hnsw';

export interface KnnIndex {
  readonly method: KnnMethod;
  /** The k nearest neighbours of every row. */
  neighbours(k: number): KnnGraph;
  /** Free native memory (no-op for exact). */
  dispose(): void;
}
