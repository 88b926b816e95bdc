/** Verification from embeddings alone: every same-identity pair against every different-identity
 * pair, scored by cosine similarity (dot product of unit vectors). The one verification-metrics
 * module (engine tests, benches and `rankface eval` alike); the snake_case fields are those of
 * `rankface eval --json`. */

export interface VerificationMetrics {
  readonly auc: number;
  /** True-accept rate at the largest threshold-free operating point with FAR <= `far`. */
  readonly tar_at_far: number;
  readonly far: number;
  readonly threshold: number;
  readonly same_pairs: number;
  readonly different_pairs: number;
}

export function verificationMetrics(
  vectors: readonly Float32Array[],
  labels: readonly string[],
  far = 1e-3,
): VerificationMetrics {
  const n = vectors.length;
  let sameCount = 0;
  const bySize = new Map<string, number>();
  for (const l of labels) bySize.set(l, (bySize.get(l) ?? 0) + 1);
  for (const c of bySize.values()) sameCount += (c * (c - 1)) / 2;
  const total = (n * (n - 1)) / 2;
  const same = new Float64Array(sameCount);
  // float32 for the (n^2/2) impostor scores: 13K faces are 87M pairs, 350 MB instead of 700 MB.
  const diff = new Float32Array(total - sameCount);
  let si = 0;
  let di = 0;
  for (let i = 0; i < n; i++) {
    const a = vectors[i];
    for (let j = i + 1; j < n; j++) {
      const b = vectors[j];
      let s = 0;
      for (let d = 0; d < a.length; d++) s += a[d] * b[d];
      if (labels[i] === labels[j]) same[si++] = Math.fround(s);
      else diff[di++] = s;
    }
  }
  return verificationFromScores(same, diff, far);
}

/** Pair scores: typed arrays are sorted in place (the impostor scores of a large set are hundreds of
 * MB: no copy); plain arrays are copied. */
export type PairScores = Float64Array | Float32Array | readonly number[];

const sortedScores = (scores: PairScores): Float64Array | Float32Array =>
  (Array.isArray(scores) ? Float64Array.from(scores) : (scores as Float64Array | Float32Array)).sort();

export function verificationFromScores(
  sameScores: PairScores,
  diffScores: PairScores,
  far = 1e-3,
): VerificationMetrics {
  const same = sortedScores(sameScores);
  const diff = sortedScores(diffScores);
  // AUC = P(same > diff) + 0.5 P(tie), by merging the two sorted lists.
  let auc = 0;
  if (same.length > 0 && diff.length > 0) {
    let below = 0; // diff scores strictly below the current same score
    let j = 0;
    let wins = 0;
    for (let i = 0; i < same.length; i++) {
      const s = same[i];
      while (j < diff.length && diff[j] < s) j++;
      below = j;
      let ties = 0;
      let t = j;
      while (t < diff.length && diff[t] === s) {
        ties++;
        t++;
      }
      wins += below + ties / 2;
    }
    auc = wins / (same.length * diff.length);
  }
  // Accept pairs scoring strictly above the threshold; at most floor(far * |diff|) different pairs
  // may pass.
  const allowed = Math.floor(far * diff.length);
  const threshold = diff.length === 0 ? -Infinity : diff[diff.length - 1 - Math.min(allowed, diff.length - 1)];
  let accepted = 0;
  for (let i = same.length - 1; i >= 0 && same[i] > threshold; i--) accepted++;
  return {
    auc,
    tar_at_far: same.length === 0 ? 0 : accepted / same.length,
    far,
    threshold,
    same_pairs: same.length,
    different_pairs: diff.length,
  };
}
