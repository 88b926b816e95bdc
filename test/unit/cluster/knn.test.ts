import { describe, expect, it } from 'vitest';
import { createKnnIndex, distanceMatrix, exactKnn, exactKnnRows, knnRecall } from '#core/cluster/knn/index.ts';
import { loadUsearch } from '#core/cluster/knn/hnsw.ts';
import { prepareFaces } from '#core/cluster/prepare.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';

describe('kNN', () => {
  const m = prepareFaces(syntheticFaces({ faces: 1500, seed: 9, dim: 128 }).faces).matrix;

  it('exact blocked search equals a brute-force sort of the distance matrix', () => {
    const k = 7;
    const g = exactKnn(m, k);
    const d = distanceMatrix(m);
    for (const r of [0, 1, 500, 1499]) {
      const brute = [...Array(m.n).keys()]
        .filter((j) => j !== r)
        .sort((a, b) => d[r * m.n + a] - d[r * m.n + b] || a - b)
        .slice(0, k);
      expect(Array.from(g.indices.subarray(r * k, r * k + k))).toEqual(brute);
      for (let j = 1; j < k; j++) expect(g.distances[r * k + j]).toBeGreaterThanOrEqual(g.distances[r * k + j - 1]);
    }
  });

  it('usearch HNSW loads and finds most exact neighbours', () => {
    expect(loadUsearch()).not.toBeNull();
    const index = createKnnIndex(m, { method: 'hnsw', threads: 1 });
    expect(index.method).toBe('hnsw');
    const approx = index.neighbours(10);
    const rows = [...Array(200).keys()].map((i) => i * 7);
    const recall = knnRecall(exactKnnRows(m, rows, 10), approx, rows);
    expect(recall).toBeGreaterThan(0.9);
    expect(recall).toBeLessThanOrEqual(1);
  });
});
