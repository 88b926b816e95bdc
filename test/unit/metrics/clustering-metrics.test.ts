import { describe, expect, it } from 'vitest';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';

// Hand-computed case: identities A(3 faces) B(2) C(1); clusters {a1,a2,b1} {a3} {b2,c1}.
const truth = ['A', 'A', 'A', 'B', 'B', 'C'];
const predicted = ['x', 'x', 'y', 'x', 'z', 'z'];

describe('clusteringMetrics on a hand-computed case', () => {
  const m = clusteringMetrics(truth, predicted, ['p1', 'p2', 'p3', 'p4', 'p5', 'p5']);

  it('pairwise: TP=1 (a1a2), predicted pairs=3+1=4, true pairs=3+1=4', () => {
    expect(m.pairwise.precision).toBeCloseTo(1 / 4, 10);
    expect(m.pairwise.recall).toBeCloseTo(1 / 4, 10);
    expect(m.pairwise.f).toBeCloseTo(1 / 4, 10);
  });

  it('BCubed: per-face precision 2/3,2/3,1,1/3,1/2,1/2 and recall 2/3,2/3,1/3,1/2,1/2,1', () => {
    const p = (2 / 3 + 2 / 3 + 1 + 1 / 3 + 1 / 2 + 1 / 2) / 6;
    const r = (2 / 3 + 2 / 3 + 1 / 3 + 1 / 2 + 1 / 2 + 1) / 6;
    expect(m.bcubed.precision).toBeCloseTo(p, 10);
    expect(m.bcubed.recall).toBeCloseTo(r, 10);
    expect(m.bcubed.f).toBeCloseTo((2 * p * r) / (p + r), 10);
  });

  it('product metrics: clusters, clusters per identity, singleton rate, wrong faces, merges, same-photo pairs', () => {
    expect(m.clusters).toBe(2); // x and z; y is a singleton
    expect(m.singletons).toBe(1);
    expect(m.clusters_per_identity).toBeCloseTo((2 + 2) / 2, 10); // A in x,y; B in x,z
    expect(m.singleton_rate).toBeCloseTo(1 / 5, 10); // a3 alone among the 5 faces of A and B
    expect(m.wrong_faces).toBe(2); // b1 in x (majority A), one of b2/c1 in z (a tie: one is wrong)
    expect(m.merges_needed_per_100).toBeCloseTo((2 / 6) * 100, 10);
    expect(m.same_photo_violations).toBe(1); // b2 and c1 share photo p5 and cluster z
  });

  it('NMI: 2 I / (H(T) + H(P)) computed by hand', () => {
    const ln = Math.log;
    const hT = -(3 / 6) * ln(3 / 6) - (2 / 6) * ln(2 / 6) - (1 / 6) * ln(1 / 6);
    const hP = -(3 / 6) * ln(3 / 6) - (1 / 6) * ln(1 / 6) - (2 / 6) * ln(2 / 6);
    // cells: x:{A2,B1} y:{A1} z:{B1,C1}
    const cell = (c: number, cl: number, id: number): number => (c / 6) * ln((c * 6) / (cl * id));
    const mi = cell(2, 3, 3) + cell(1, 3, 2) + cell(1, 1, 3) + cell(1, 2, 2) + cell(1, 2, 1);
    expect(m.nmi).toBeCloseTo((2 * mi) / (hT + hP), 10);
  });
});

describe('clusteringMetrics edge cases', () => {
  it('a perfect clustering scores 1 everywhere and needs no merges', () => {
    const m = clusteringMetrics(['A', 'A', 'B', 'B', 'C'], ['1', '1', '2', '2', '3']);
    expect(m.pairwise.f).toBe(1);
    expect(m.bcubed.f).toBe(1);
    expect(m.nmi).toBeCloseTo(1, 10);
    expect(m.clusters_per_identity).toBe(1);
    expect(m.wrong_faces).toBe(0);
    expect(m.merges_needed_per_100).toBe(0);
  });

  it('labelsFromResult gives unassigned faces their own singleton labels', () => {
    const labels = labelsFromResult(['a', 'b', 'c', 'd'], { people: [{ faceIds: ['a', 'c'] }] });
    expect(labels).toEqual(['p0', 'u:b', 'p0', 'u:d']);
    const m = clusteringMetrics(['A', 'B', 'A', 'B'], labels);
    expect(m.clusters).toBe(1);
    expect(m.singleton_rate).toBeCloseTo(2 / 4, 10);
  });
});
