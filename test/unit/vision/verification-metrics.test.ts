import { describe, expect, it } from 'vitest';
import { verificationFromScores, verificationMetrics } from '#core/metrics/verification.ts';

// AUC and TAR@FAR from pair scores: exact values on small hand-checked cases.
describe('verification metrics', () => {
  it('scores perfect separation as AUC 1 and TAR 1', () => {
    const m = verificationFromScores([0.9, 0.8, 0.7], [0.1, 0.2, 0.3, 0.4]);
    expect(m.auc).toBe(1);
    expect(m.tar_at_far).toBe(1);
  });

  it('counts ties as half and places the threshold at the allowed false accepts', () => {
    // same: 0.5 ties with one different score, 0.2 is below 2 of 4 different scores.
    const m = verificationFromScores([0.5, 0.2, 0.9], [0.5, 0.1, 0.3, 0.4], 0.25);
    // pairs won: 0.5 → 3 below + 1 tie/2 = 3.5; 0.2 → 1; 0.9 → 4. (3.5 + 1 + 4) / 12
    expect(m.auc).toBeCloseTo(8.5 / 12, 10);
    // one of four different scores may pass: threshold = 2nd highest = 0.4; same > 0.4 → 0.5, 0.9
    expect(m.threshold).toBe(0.4);
    expect(m.tar_at_far).toBeCloseTo(2 / 3, 10);
  });

  it('builds all pairs from labelled vectors', () => {
    const v = (x: number, y: number): Float32Array => Float32Array.from([x, y]);
    const m = verificationMetrics([v(1, 0), v(0.99, 0.141), v(0, 1), v(0.141, 0.99)], ['a', 'a', 'b', 'b']);
    expect(m.same_pairs).toBe(2);
    expect(m.different_pairs).toBe(4);
    expect(m.auc).toBe(1);
  });
});
