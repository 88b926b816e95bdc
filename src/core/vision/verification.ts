/** Verification metrics over labelled vectors: every same-identity pair against every
 * different-identity pair, scored by cosine similarity. Kept small and local to the engine so the
 * engine's tests and benchmarks need nothing else; clustering metrics live in #core/metrics. */

export interface VerificationResult {
  readonly samePairs: number;
  readonly differentPairs: number;
  /** Area under the ROC curve (probability a same pair scores above a different pair). */
  readonly auc: number;
  /** True-accept rate at the threshold where the false-accept rate is at most `far`. */
  readonly tarAtFar: number;
  readonly far: number;
  readonly threshold: number;
}

export function verificationMetrics(vectors: readonly Float32Array[], labels: readonly string[], far = 1e-3): VerificationResult {
  const same: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      const a = vectors[i], b = vectors[j];
      let s = 0;
      for (let k = 0; k < a.length; k++) s += a[k] * b[k];
      (labels[i] === labels[j] ? same : diff).push(s);
    }
  }
  return verificationFromScores(same, diff, far);
}

export function verificationFromScores(same: readonly number[], diff: readonly number[], far = 1e-3): VerificationResult {
  const d = Float64Array.from(diff).sort();
  const s = Float64Array.from(same).sort();
  // AUC via ranks: for each same score, the share of different scores below it (ties count half).
  let auc = 0;
  let lo = 0, hi = 0;
  for (const v of s) {
    while (lo < d.length && d[lo] < v) lo++;
    hi = Math.max(hi, lo);
    while (hi < d.length && d[hi] <= v) hi++;
    auc += lo + (hi - lo) / 2;
  }
  auc = s.length && d.length ? auc / (s.length * d.length) : 0;
  // Threshold: accept scores strictly above the k-th highest different score, k = floor(far * n).
  const allowed = Math.floor(far * d.length);
  const threshold = d.length ? d[d.length - 1 - Math.min(allowed, d.length - 1)] : 0;
  let accepted = 0;
  for (const v of s) if (v > threshold) accepted++;
  return { samePairs: s.length, differentPairs: d.length, auc, tarAtFar: s.length ? accepted / s.length : 0, far, threshold };
}
