import { describe, expect, it } from 'vitest';
import { verificationFromScores, verificationMetrics } from '#core/metrics/index.ts';

const unit = (deg: number): Float32Array =>
  Float32Array.from([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);

describe('verification metrics', () => {
  it('AUC counts same-over-different pairs, ties as half (hand-computed)', () => {
    // same: 0.9, 0.5; diff: 0.5, 0.1 → pairs (0.9>0.5)(0.9>0.1)(0.5=0.5)(0.5>0.1) = 3.5 / 4
    const r = verificationFromScores(Float64Array.from([0.9, 0.5]), Float64Array.from([0.5, 0.1]), 0.5);
    expect(r.auc).toBeCloseTo(3.5 / 4, 12);
    // FAR 0.5 of 2 different pairs: one may pass; threshold = 0.1, same pairs above it: both.
    expect(r.threshold).toBeCloseTo(0.1, 12);
    expect(r.tar_at_far).toBe(1);
  });

  it('TAR at a strict FAR rejects pairs at the highest impostor score', () => {
    const r = verificationFromScores(Float64Array.from([0.9, 0.5]), Float64Array.from([0.5, 0.1]), 0.1);
    expect(r.threshold).toBeCloseTo(0.5, 12);
    expect(r.tar_at_far).toBe(0.5);
  });

  it('all pairs from vectors: two tight identities far apart verify perfectly', () => {
    const vectors = [unit(0), unit(5), unit(90), unit(95)];
    const r = verificationMetrics(vectors, ['a', 'a', 'b', 'b'], 1e-3);
    expect(r.same_pairs).toBe(2);
    expect(r.different_pairs).toBe(4);
    expect(r.auc).toBe(1);
    expect(r.tar_at_far).toBe(1);
  });
});
