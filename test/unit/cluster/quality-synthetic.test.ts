import { describe, expect, it } from 'vitest';
import { cluster } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';

// Synthetic faces calibrated to the real embedder's same/different similarity statistics
// (heavy-tailed identity sizes, many one-off faces).
describe('rank-order clustering quality on calibrated synthetic faces', () => {
  const set = syntheticFaces({ faces: 1000, seed: 5 });
  const ids = set.faces.map((f) => f.id);
  for (const algorithm of ['rank-order', 'approximate-rank-order'] as const) {
    it(`${algorithm}: high precision and BCubed F above 0.8`, () => {
      const m = clusteringMetrics(
        set.truth,
        labelsFromResult(ids, cluster(set.faces, { algorithm })),
        set.faces.map((f) => f.photoId),
      );
      // Synthetic identities are harder than LFW's (up to hundreds of faces, noisy): the bars are
      // lower than the real-data acceptance targets, but a broken distance or merge rule fails them.
      expect(m.pairwise.precision).toBeGreaterThan(0.95);
      expect(m.bcubed.f).toBeGreaterThan(0.8);
      expect(m.same_photo_violations).toBe(0);
    });
  }
});
