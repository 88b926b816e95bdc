import type { ConstrainedUnionFind } from './constraints.ts';
import { RowHeaps } from './knn/heap.ts';
import type { KnnGraph } from './knn/types.ts';
import type { MergeEvidence } from './merge-evidence.ts';

/** Rank-Order clustering (Zhu, Wen, Sun & Tang, CVPR 2011), cluster level, iterated.
 *
 * Every cluster (first: every face, or every must-link group) gets a list of its K nearest
 * clusters, cluster distance = closest pair of member faces. With O_a(b) the rank of b in a's list
 * (a itself is rank 0) and f_a(i) the i-th entry:
 *   D(a,b)   = sum_{i=0..O_a(b)} O_b(f_a(i))
 *   D^R(a,b) = (D(a,b) + D(b,a)) / min(O_a(b), O_b(a))
 *   D^N(a,b) = d(a,b) / phi(a,b),  phi = mean over the faces of a and b of their mean distance to
 *              their K nearest faces (local density)
 * All pairs with D^R < t and D^N < 1 (and, our addition, d(a,b) <= maxDistance) merge transitively;
 * repeat until a round merges nothing. Lists are truncated at K: a cluster absent from b's list has
 * rank K+1 there (the original ranks the full list; truncation is what makes it tractable and is
 * what the published implementations do).
 *
 * The cluster distance matrix (C x C float32) is kept and updated on merge with the single-link rule
 * d(a∪b, x) = min(d(a,x), d(b,x)), not recomputed each round. */

export interface RankOrderParams {
  /** Neighbour-list length K (also the K of the density normaliser). */
  readonly k: number;
  /** Merge threshold t on D^R. */
  readonly threshold: number;
  /** Never merge clusters whose closest faces are farther than this cosine distance. */
  readonly maxDistance: number;
  /** Require D^N < 1 (the paper's rule; default true). Without it only D^R and maxDistance gate. */
  readonly densityGate?: boolean;
}

export interface RankOrderInput {
  /** n x n face cosine distances; consumed (overwritten) as the cluster matrix. */
  readonly distances: Float32Array;
  readonly n: number;
  /** Face kNN lists (for the density normaliser). */
  readonly knn: KnnGraph;
  /** Holds must-link pre-merges and enforces cannot-links; receives the merges. */
  readonly uf: ConstrainedUnionFind;
  /** When given, merges of two multi-face clusters need its evidence (see merge-evidence.ts). */
  readonly evidence?: MergeEvidence;
}

export interface RankOrderStats {
  readonly rounds: number;
  readonly merges: number;
}

interface Candidate {
  readonly a: number;
  readonly b: number;
  readonly dr: number;
}

/** The clusters' working state: the cluster distance matrix (indexed by face, rows of merged-away
 * clusters ignored), which clusters are alive, their sizes and summed face densities. */
interface ClusterState {
  readonly D: Float32Array;
  readonly n: number;
  readonly active: Uint8Array;
  readonly size: Float64Array;
  readonly densitySum: Float64Array;
}

export function rankOrderCluster(input: RankOrderInput, params: RankOrderParams): RankOrderStats {
  const { n, uf } = input;
  const K = Math.max(1, Math.min(params.k, n - 1));
  const state = initialClusters(input);
  const rank = new Int32Array(n).fill(K + 1);
  const rankB = new Int32Array(n).fill(K + 1);
  let rounds = 0;
  let merges = 0;
  for (;;) {
    rounds++;
    const ids: number[] = [];
    for (let c = 0; c < n; c++) if (state.active[c]) ids.push(c);
    if (ids.length < 2) break;
    const kk = Math.min(K, ids.length - 1);
    const lists = neighbourLists(state, ids, kk);
    const candidates = mergeCandidates(state, ids, lists, kk, K, rank, rankB, params);
    let merged = 0;
    for (const c of candidates) {
      if (uf.find(c.a) === uf.find(c.b)) continue;
      if (input.evidence ? input.evidence.union(c.a, c.b) : uf.union(c.a, c.b)) merged++;
    }
    if (merged === 0) break;
    merges += merged;
    foldMerged(state, ids, uf);
  }
  return { rounds, merges };
}

/** Clusters start as the union-find groups (must-link groups pre-merged). Cluster c is represented
 * by its smallest face; each face's density is its mean distance to its kNN. */
function initialClusters(input: RankOrderInput): ClusterState {
  const { n, uf, knn } = input;
  const D = input.distances;
  const active = new Uint8Array(n);
  const size = new Float64Array(n);
  const densitySum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < knn.k; j++) {
      const d = knn.distances[i * knn.k + j];
      if (Number.isFinite(d)) {
        s += d;
        c++;
      }
    }
    densitySum[i] = c > 0 ? s / c : 0;
  }
  const labels = uf.labels();
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    size[c]++;
    if (c !== i) {
      densitySum[c] += densitySum[i];
      mergeRows(D, n, c, i, active);
    }
    active[c] = 1;
  }
  // Rows of faces folded into a must-link group were merged above before `active` was complete;
  // redo the column symmetry for exactness.
  for (let c = 0; c < n; c++) if (active[c]) for (let x = 0; x < n; x++) if (active[x]) D[x * n + c] = D[c * n + x];
  return { D, n, active, size, densitySum };
}

/** Each active cluster's `kk` nearest active clusters (row-major, -1 padded). */
function neighbourLists({ D, n }: ClusterState, ids: readonly number[], kk: number): Int32Array {
  const heaps = new RowHeaps(n, kk);
  for (const a of ids) {
    const row = a * n;
    for (const b of ids) {
      if (b === a) continue;
      const d = D[row + b];
      if (d <= heaps.bound(a)) heaps.push(a, b, d);
    }
  }
  return heaps.toGraph().indices;
}

/** The pairs of one round that pass every gate (D^R < t, d <= maxDistance, D^N < 1 when gated),
 * best D^R first, ties by cluster index. `rank`/`rankB` are scratch arrays held at K+1. */
function mergeCandidates(
  state: ClusterState,
  ids: readonly number[],
  lists: Int32Array,
  kk: number,
  K: number,
  rank: Int32Array,
  rankB: Int32Array,
  params: RankOrderParams,
): Candidate[] {
  const { D, n, size, densitySum } = state;
  const candidates: Candidate[] = [];
  for (const a of ids) {
    const la = a * kk;
    rank[a] = 0;
    for (let j = 0; j < kk; j++) rank[lists[la + j]] = j + 1;
    for (let j = 0; j < kk; j++) {
      const b = lists[la + j];
      if (b < 0) break;
      const lb = b * kk;
      rankB[b] = 0;
      for (let i = 0; i < kk; i++) if (lists[lb + i] >= 0) rankB[lists[lb + i]] = i + 1;
      const oab = j + 1;
      const oba = rankB[a];
      if (oba <= kk && b < a) {
        // Mutual pair: already scored from b's side.
        resetRanks(rankB, lists, lb, kk, b, K);
        continue;
      }
      const dr = rankOrderDistance(a, b, oab, oba, lists, kk, rank, rankB);
      resetRanks(rankB, lists, lb, kk, b, K);
      if (dr >= params.threshold) continue;
      const dist = D[a * n + b];
      if (dist > params.maxDistance) continue;
      const phi = (densitySum[a] + densitySum[b]) / (size[a] + size[b]);
      if (params.densityGate !== false && !(dist < phi)) continue;
      candidates.push({ a: Math.min(a, b), b: Math.max(a, b), dr });
    }
    resetRanks(rank, lists, la, kk, a, K);
  }
  return candidates.sort((x, y) => x.dr - y.dr || x.a - y.a || x.b - y.b);
}

/** D^R(a,b) with b at rank `oab` in a's list and a at rank `oba` in b's (K+1 when absent); `rank`
 * holds a's list's ranks, `rankB` b's. */
function rankOrderDistance(
  a: number,
  b: number,
  oab: number,
  oba: number,
  lists: Int32Array,
  kk: number,
  rank: Int32Array,
  rankB: Int32Array,
): number {
  const la = a * kk;
  const lb = b * kk;
  // D(a,b): a's list up to b, ranked in b's list.
  let dab = rankB[a];
  for (let i = 0; i < oab; i++) dab += rankB[lists[la + i]];
  // D(b,a): b's list up to a (all of it when a is absent), ranked in a's list.
  let dba = rank[b];
  const upto = Math.min(oba, kk);
  for (let i = 0; i < upto; i++) dba += rank[lists[lb + i]];
  return (dab + dba) / Math.min(oab, oba);
}

/** Fold every merged cluster into its group's smallest cluster index. */
function foldMerged(state: ClusterState, ids: readonly number[], uf: ConstrainedUnionFind): void {
  const { D, n, active, size, densitySum } = state;
  const survivor = new Map<number, number>();
  for (const c of ids) {
    const r = uf.find(c);
    const s = survivor.get(r);
    if (s === undefined) survivor.set(r, c);
    else {
      mergeRows(D, n, s, c, active);
      size[s] += size[c];
      densitySum[s] += densitySum[c];
      active[c] = 0;
    }
  }
}

function resetRanks(rank: Int32Array, lists: Int32Array, base: number, kk: number, self: number, K: number): void {
  rank[self] = K + 1;
  for (let i = 0; i < kk; i++) {
    const v = lists[base + i];
    if (v >= 0) rank[v] = K + 1;
  }
}

/** Single-link update: row/column `into` becomes min(into, from) over active clusters. */
function mergeRows(D: Float32Array, n: number, into: number, from: number, active: Uint8Array): void {
  const ri = into * n;
  const rf = from * n;
  for (let x = 0; x < n; x++) {
    const v = Math.min(D[ri + x], D[rf + x]);
    D[ri + x] = v;
    if (active[x]) D[x * n + into] = v;
  }
}
