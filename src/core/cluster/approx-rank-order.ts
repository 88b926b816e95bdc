import type { ConstrainedUnionFind } from './constraints.ts';
import type { KnnGraph } from './knn/types.ts';
import type { MergeEvidence } from './merge-evidence.ts';

/** Approximate Rank-Order clustering (Otto, Wang & Jain, TPAMI 2018): one pass over top-k lists.
 *
 * Lists are a face followed by its k nearest faces. Only the presence of a neighbour in the other
 * face's list counts, not its rank there:
 *   d_m(a,b) = sum_{i=0..min(O_a(b),k)} I_b(f_a(i)),  I_b(x) = 0 if x is in b's list else 1
 *   D_m(a,b) = (d_m(a,b) + d_m(b,a)) / min(O_a(b), O_b(a))
 * scored only for b in a's list (O_b(a) = k+1 when a is absent from b's), every pair below the
 * threshold merged transitively through the constrained union-find. O(n k^2) after the kNN. */

export interface ApproxRankOrderParams {
  readonly threshold: number;
  /** Never link faces farther apart than this cosine distance (our addition: stops mutual nearest
   * neighbours among unrelated one-off faces from pairing up). */
  readonly maxDistance: number;
}

export interface ApproxRankOrderStats {
  readonly candidates: number;
  readonly merges: number;
}

export function approxRankOrderCluster(
  knn: KnnGraph,
  uf: ConstrainedUnionFind,
  params: ApproxRankOrderParams,
  evidence?: MergeEvidence,
): ApproxRankOrderStats {
  const { n, k, indices, distances } = knn;
  // mark[x] === stamp  <=>  x is in the list currently stamped.
  const markA = new Int32Array(n).fill(-1);
  const markB = new Int32Array(n).fill(-1);
  const candA: number[] = [];
  const candB: number[] = [];
  const candD: number[] = [];
  for (let a = 0; a < n; a++) {
    const la = a * k;
    markA[a] = a;
    for (let j = 0; j < k; j++) {
      const v = indices[la + j];
      if (v >= 0) markA[v] = a;
    }
    for (let j = 0; j < k; j++) {
      const b = indices[la + j];
      if (b < 0) break;
      if (distances[la + j] > params.maxDistance) break; // lists are sorted by distance
      const lb = b * k;
      markB[b] = b;
      let oba = k + 1;
      for (let i = 0; i < k; i++) {
        const v = indices[lb + i];
        if (v < 0) break;
        markB[v] = b;
        if (v === a) oba = i + 1;
      }
      if (oba <= k && b < a) continue; // mutual pair, scored from b's side
      const oab = j + 1;
      // d_m(a,b): a's list up to b, absent from b's list.
      let dab = markB[a] === b ? 0 : 1;
      for (let i = 0; i < oab; i++) if (markB[indices[la + i]] !== b) dab++;
      // d_m(b,a): b's list up to a (all of it when a is absent), absent from a's list.
      let dba = markA[b] === a ? 0 : 1;
      const upto = Math.min(oba, k);
      for (let i = 0; i < upto; i++) {
        const v = indices[lb + i];
        if (v >= 0 && markA[v] !== a) dba++;
      }
      const dm = (dab + dba) / Math.min(oab, oba);
      if (dm < params.threshold) {
        candA.push(Math.min(a, b));
        candB.push(Math.max(a, b));
        candD.push(dm);
      }
    }
  }
  // Merge best pairs first so that cannot-link conflicts are resolved in favour of the stronger
  // link, deterministically.
  const order = new Int32Array(candA.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((x, y) => candD[x] - candD[y] || candA[x] - candA[y] || candB[x] - candB[y]);
  let merges = 0;
  const union = (a: number, b: number): boolean => (evidence ? evidence.union(a, b) : uf.union(a, b));
  for (const c of order) if (uf.find(candA[c]) !== uf.find(candB[c]) && union(candA[c], candB[c])) merges++;
  return { candidates: order.length, merges };
}
