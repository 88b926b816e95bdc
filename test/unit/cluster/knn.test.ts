import { describe, expect, it } from 'vitest';
import { createKnnIndex, distanceMatrix, exactKnn, exactKnnRows, knnRecall } from '#core/cluster/knn/index.ts';
import { loadUsearch } from '#core/cluster/knn/hnsw.ts';
import { refineKnn } from '#core/cluster/knn/refine.ts';
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

  it('one round of neighbour-of-neighbour refinement raises the recall of a coarse HNSW graph', () => {
    // A deliberately sparse graph and narrow beams: the kind of lists HNSW gives at a million faces.
    const index = createKnnIndex(m, {
      method: 'hnsw',
      threads: 1,
      connectivity: 4,
      expansionAdd: 8,
      expansionSearch: 10,
    });
    const coarse = index.neighbours(10);
    index.dispose();
    const refined = refineKnn(m, coarse);
    const rows = [...Array(300).keys()].map((i) => i * 5);
    const truth = exactKnnRows(m, rows, 10);
    const before = knnRecall(truth, coarse, rows);
    const after = knnRecall(truth, refined, rows);
    expect(before).toBeLessThan(0.95);
    expect(after).toBeGreaterThan(before + 0.02);
    // Lists stay sorted nearest first with exact distances, self excluded, no duplicates.
    for (const r of rows) {
      const list = Array.from(refined.indices.subarray(r * 10, r * 10 + 10));
      expect(list).not.toContain(r);
      expect(new Set(list).size).toBe(10);
      for (let j = 0; j < 10; j++) {
        const v = list[j]!;
        let dot = 0;
        for (let d = 0; d < m.dim; d++) dot += m.data[r * m.dim + d]! * m.data[v * m.dim + d]!;
        expect(refined.distances[r * 10 + j]).toBeCloseTo(1 - dot, 5);
        if (j > 0) expect(refined.distances[r * 10 + j]).toBeGreaterThanOrEqual(refined.distances[r * 10 + j - 1]!);
      }
    }
  });

  it('refinement leaves exact lists as they are', () => {
    const exact = exactKnn(m, 10);
    const refined = refineKnn(m, exact);
    expect(Array.from(refined.indices)).toEqual(Array.from(exact.indices));
  });
});
