import type { ConstrainedUnionFind } from './constraints.ts';
import { dotRows } from './knn/dot.ts';
import { createKnnIndex, type KnnOptions } from './knn/index.ts';
import type { VectorMatrix } from './knn/types.ts';

/** Guards the merge of two groups of several faces each: both single-link algorithms would merge
 * them on one close pair, which is how a man's photos swallow a look-alike's, and how chains of
 * weak faces percolate into a giant "person" at a million faces. Such a merge needs evidence across
 * the two groups: their average-link cosine distance (1 - mean similarity over all cross pairs)
 * within the limit. The mean over all |A|x|B| pairs is exact and O(d): it is the dot product of the
 * groups' vector sums divided by |A||B|. A single face joining a group is checked the same way (its
 * mean distance to the members); only two single faces pairing up is left to the algorithm. */
export class MergeEvidence {
  /** Vector sum of every group of 2+ faces, by union-find root. */
  private readonly sums = new Map<number, Float32Array>();
  private readonly sizes = new Map<number, number>();
  refused = 0;

  /**
   * @param maxAverageDistance limit for a single face joining a group
   * @param maxGroupAverageDistance limit for two groups of 2+ faces (default: the same)
   */
  constructor(
    private readonly uf: ConstrainedUnionFind,
    private readonly matrix: VectorMatrix,
    private readonly maxAverageDistance: number,
    private readonly maxGroupAverageDistance: number = maxAverageDistance,
  ) {
    // Must-link groups are pre-merged before clustering starts: they start with their sums.
    const n = matrix.n;
    const count = new Int32Array(n);
    for (let i = 0; i < n; i++) count[uf.find(i)]++;
    for (let i = 0; i < n; i++) {
      const root = uf.find(i);
      if (count[root] >= 2) this.add(root, i);
    }
  }

  /** Fold face `i` into the sum of group `root` (used while building from pre-merged groups). */
  private add(root: number, i: number): void {
    const { data, dim } = this.matrix;
    let sum = this.sums.get(root);
    if (!sum) {
      sum = new Float32Array(dim);
      this.sums.set(root, sum);
    }
    for (let d = 0; d < dim; d++) sum[d] += data[i * dim + d];
    this.sizes.set(root, (this.sizes.get(root) ?? 0) + 1);
  }

  /** The union-find root of face `i`'s group. */
  root(i: number): number {
    return this.uf.find(i);
  }

  sizeOf(root: number): number {
    return this.sizes.get(root) ?? 1;
  }

  /** The vector sum of a group (a face's own row for a single face). */
  sumOf(root: number): Float32Array {
    const { data, dim } = this.matrix;
    return this.sums.get(root) ?? data.subarray(root * dim, (root + 1) * dim);
  }

  /** Mean cosine distance over all cross pairs of two groups, given their roots. */
  averageDistance(ra: number, rb: number): number {
    const dot = dotRows(this.sumOf(ra), 0, this.sumOf(rb), 0, this.matrix.dim);
    return 1 - dot / (this.sizeOf(ra) * this.sizeOf(rb));
  }

  /** Union a's and b's groups if the constraints allow it and, when a group is involved, their
   * average link is within `limit` (default: the guard's for a face joining a group, the stricter
   * group limit for two groups). */
  union(a: number, b: number, limit?: number): boolean {
    const ra = this.uf.find(a),
      rb = this.uf.find(b);
    if (ra === rb) return false;
    const sa = this.sizeOf(ra),
      sb = this.sizeOf(rb);
    // Checked whenever a group is involved: a single face joining a group must agree with the group
    // on average too, or a look-alike's faces trickle in one at a time over one bridge.
    const max = limit ?? (sa > 1 && sb > 1 ? this.maxGroupAverageDistance : this.maxAverageDistance);
    if (sa + sb > 2 && this.averageDistance(ra, rb) > max) {
      this.refused++;
      return false;
    }
    if (!this.uf.union(a, b)) return false;
    const root = this.uf.find(a);
    const { dim } = this.matrix;
    const size = sa + sb;
    // Add into a sum the evidence owns already (no new array per merge: a million merges would
    // churn gigabytes); a pair of single faces gets a fresh one.
    const own = this.sums.get(ra) ?? this.sums.get(rb);
    const sum = own ?? new Float32Array(dim);
    const parts = own
      ? [own === this.sums.get(ra) ? this.sumOf(rb) : this.sumOf(ra)]
      : [this.sumOf(ra), this.sumOf(rb)];
    for (const part of parts) for (let d = 0; d < dim; d++) sum[d] += part[d];
    this.sums.delete(ra);
    this.sums.delete(rb);
    this.sizes.delete(ra);
    this.sizes.delete(rb);
    this.sums.set(root, sum);
    this.sizes.set(root, size);
    return true;
  }

  /** Roots of the groups of 2+ faces, ascending. */
  groupRoots(): number[] {
    return [...this.sums.keys()].sort((x, y) => x - y);
  }
}

/** How much stricter than the face-joins-group guard the average-link limit for merging two groups
 * of 2+ faces is in a library of `n` faces: nothing up to 10 000 faces, rising linearly in log10(n)
 * to 0.15 at 100 000 and above (with the 0.65 guard: 0.5, the refine pass's limit). Why it tightens
 * with n: the number of strangers' groups near any group grows with the library, so a merge needs
 * more agreement to stay as likely right. On 300K calibrated synthetic faces a quarter of the group
 * merges allowed at 0.65 joined two people (0.6: 25%, 0.55: 7%, 0.5: 0.6%), while on the dev sets
 * (≤ 1 000 faces) a person's photos in disguise (bbt: wigs, beards) need 0.65 to stay one person
 * (docs/clustering.md). */
export function groupLimitTightening(n: number): number {
  if (n <= 10_000) return 0;
  if (n >= 100_000) return 0.15;
  return 0.15 * Math.log10(n / 10_000);
}

export interface RefineParams {
  /** Candidate groups per group (nearest by mean direction). */
  readonly k: number;
  /** Merge two groups of 2+ faces when their average link is within this cosine distance. */
  readonly maxAverageDistance: number;
}

/** Second pass over the people found: two groups of 2+ faces whose average link is close are one
 * person that the first pass left split (at 100K–1M faces the approximate kNN misses many true
 * neighbours, so big people fall apart into several clusters). Candidates are each group's nearest
 * groups by mean direction; merges go best first through the constraints. Returns merges made. */
export function refineByAverageLink(
  evidence: MergeEvidence,
  dim: number,
  params: RefineParams,
  knn: KnnOptions = {},
): number {
  const roots = evidence.groupRoots();
  if (roots.length < 2) return 0;
  const data = new Float32Array(roots.length * dim);
  roots.forEach((r, i) => {
    const s = evidence.sumOf(r);
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += s[d] * s[d];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) data[i * dim + d] = s[d] * inv;
  });
  const index = createKnnIndex({ data, n: roots.length, dim }, knn);
  const cand: { a: number; b: number; d: number }[] = [];
  try {
    const g = index.neighbours(Math.min(params.k, roots.length - 1));
    for (let i = 0; i < roots.length; i++) {
      for (let j = 0; j < g.k; j++) {
        const other = g.indices[i * g.k + j];
        if (other < 0 || other < i) continue;
        const d = evidence.averageDistance(roots[i]!, roots[other]!);
        if (d <= params.maxAverageDistance) cand.push({ a: roots[i]!, b: roots[other]!, d });
      }
    }
  } finally {
    index.dispose();
  }
  cand.sort((x, y) => x.d - y.d || x.a - y.a || x.b - y.b);
  let merges = 0;
  for (const c of cand) if (evidence.union(c.a, c.b, params.maxAverageDistance)) merges++;
  return merges;
}
