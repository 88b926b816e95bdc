import { approxRankOrderCluster } from './approx-rank-order.ts';
import { attachSingles } from './attach.ts';
import {
  createKnnIndex,
  distanceMatrix,
  exactKnnRows,
  knnFromMatrix,
  knnRecall,
  type KnnOptions,
} from './knn/index.ts';
import { refineKnn } from './knn/refine.ts';
import { QUALITY_GATE } from '#core/quality-gate.ts';
import { dissolveIncoherent, splitByQuality } from './gate.ts';
import { groupLimitTightening, MergeEvidence, refineByAverageLink, type RefineParams } from './merge-evidence.ts';
import { constrainedUnionFind, prepareFaces } from './prepare.ts';
import { rankOrderCluster } from './rank-order.ts';
import { buildResult } from './summary.ts';
import type { ClusterConstraints, ClusterFace, ClusterResult } from './types.ts';

export type { ClusterConstraints, ClusterFace, ClusterPerson, ClusterResult } from './types.ts';
export { MixedModelsError } from './prepare.ts';

export type ClusterAlgorithm = 'rank-order' | 'approximate-rank-order';

export interface ClusterOptions {
  /** 'auto' (default): exact rank-order up to `exactMaxFaces` faces, approximate above. */
  readonly algorithm?: ClusterAlgorithm | 'auto';
  /** Crossover for 'auto'. */
  readonly exactMaxFaces?: number;
  /** Exact rank-order: neighbour-list length K, threshold t on D^R, cosine-distance gate. */
  readonly rankOrder?: {
    readonly k?: number;
    readonly threshold?: number;
    readonly maxDistance?: number;
    readonly densityGate?: boolean;
  };
  /** Approximate rank-order: list length k, threshold on D_m, cosine-distance gate. */
  readonly approximate?: { readonly k?: number; readonly threshold?: number; readonly maxDistance?: number };
  /** Approximate algorithm, last pass: a face left alone joins the person of one of its kNN
   * neighbours when its average link to that person is within this (`false`: off). */
  readonly attach?: number | false;
  /** kNN index for the approximate algorithm ('auto': exact below 3000 faces, HNSW above). */
  readonly knn?: KnnOptions;
  /** Benchmarks: measure the approximate kNN's recall@k against exact search on this many evenly
   * spaced faces (reported in ClusterRun, its cost in `recallMs`). */
  readonly measureKnnRecall?: number;
  /** Called at stage boundaries (prepared, knn-index, neighbours, merged, summarised): progress for
   * long benchmark runs. */
  readonly onStage?: (stage: string) => void;
  /** Faces whose `quality` is below this are not clustered (listed in `gated`); 0 turns the gate
   * off. Faces without a quality always pass. */
  readonly qualityGate?: number;
  /** A single face joining a group of 2+ faces needs their average-link cosine distance within
   * this (Infinity: off, plain single link). */
  readonly maxAverageDistance?: number;
  /** A merge of two groups of 2+ faces each needs their average-link cosine distance within this;
   * 'auto' (default): `maxAverageDistance` up to 10K faces, up to 0.15 stricter from 100K faces on
   * (`groupLimitTightening`: 0.65 → 0.5); Infinity: off. */
  readonly maxGroupAverageDistance?: number | 'auto';
  /** Approximate algorithm: rounds of neighbour-of-neighbour refinement of the HNSW lists (with
   * reverse edges, exact re-scoring; `knn/refine.ts`); 0 turns it off. Exact lists are never
   * refined (nothing to gain). */
  readonly knnRefineRounds?: number;
  /** People whose cohesion (mean similarity to the medoid) is below this are dissolved into
   * unassigned faces (0: off). People holding a user's must-link are kept. */
  readonly minCohesion?: number;
  /** Second pass: merge people whose average link is within `maxAverageDistance` (candidates: each
   * person's `k` nearest people by mean direction); `false` turns it off. */
  readonly refine?: Partial<RefineParams> | false;
}

/** Tuned on the dev sets (docs/clustering.md). */
export const DEFAULT_CLUSTER_OPTIONS = {
  exactMaxFaces: 2000,
  rankOrder: { k: 20, threshold: 4, maxDistance: 0.5, densityGate: false },
  approximate: { k: 10, threshold: 2, maxDistance: 0.5 },
  attach: 0.5,
  /** The engine's quality scale and gate (#core/vision/quality.ts). */
  qualityGate: QUALITY_GATE,
  maxAverageDistance: 0.65,
  maxGroupAverageDistance: 'auto',
  knnRefineRounds: 1,
  minCohesion: 0.4,
  refine: { k: 5, maxAverageDistance: 0.5 },
} as const;

export interface ClusterRun {
  readonly result: ClusterResult;
  readonly algorithm: ClusterAlgorithm;
  readonly knnMethod: string;
  readonly merges: number;
  /** Only with `measureKnnRecall` and an approximate index: recall@k of the lists clustered
   * (after refinement), and of the index's own lists. */
  readonly knnRecall?: number;
  readonly knnRecallIndex?: number;
  readonly recallMs?: number;
}

/** Group faces into people. Same input (in any order), same output. Faces of one photo never end
 * in one person; must-link groups stay together; single faces that merge with nothing are
 * `unassigned`. Throws MixedModelsError when the faces come from more than one model. */
export function cluster(
  faces: readonly ClusterFace[],
  options: ClusterOptions = {},
  constraints: ClusterConstraints = {},
): ClusterResult {
  return clusterWithStats(faces, options, constraints).result;
}

export function clusterWithStats(
  faces: readonly ClusterFace[],
  options: ClusterOptions = {},
  constraints: ClusterConstraints = {},
): ClusterRun {
  const { kept, gated } = splitByQuality(
    faces,
    options.qualityGate ?? DEFAULT_CLUSTER_OPTIONS.qualityGate,
    constraints,
  );
  const run = clusterKept(kept, options, constraints);
  const minCohesion = options.minCohesion ?? DEFAULT_CLUSTER_OPTIONS.minCohesion;
  const result = dissolveIncoherent(run.result, minCohesion, constraints);
  return { ...run, result: { ...result, gated } };
}

function clusterKept(
  faces: readonly ClusterFace[],
  options: ClusterOptions,
  constraints: ClusterConstraints,
): ClusterRun {
  const stage = options.onStage ?? ((): void => {});
  const prepared = prepareFaces(faces);
  const { matrix, ids } = prepared;
  const uf = constrainedUnionFind(prepared, constraints);
  const maxAverage = options.maxAverageDistance ?? DEFAULT_CLUSTER_OPTIONS.maxAverageDistance;
  const groupOption = options.maxGroupAverageDistance ?? DEFAULT_CLUSTER_OPTIONS.maxGroupAverageDistance;
  const maxGroupAverage = groupOption === 'auto' ? maxAverage - groupLimitTightening(matrix.n) : groupOption;
  const evidence = new MergeEvidence(uf, matrix, maxAverage, maxGroupAverage);
  const refine = options.refine === false ? undefined : { ...DEFAULT_CLUSTER_OPTIONS.refine, ...options.refine };
  const refined = (): number => (refine ? refineByAverageLink(evidence, matrix.dim, refine, options.knn) : 0);
  stage('prepared');
  const exactMax = options.exactMaxFaces ?? DEFAULT_CLUSTER_OPTIONS.exactMaxFaces;
  const algorithm: ClusterAlgorithm =
    options.algorithm === undefined || options.algorithm === 'auto'
      ? matrix.n <= exactMax
        ? 'rank-order'
        : 'approximate-rank-order'
      : options.algorithm;
  if (matrix.n < 2) return { result: buildResult(matrix, ids, uf.labels()), algorithm, knnMethod: 'none', merges: 0 };
  if (algorithm === 'rank-order') {
    const p = { ...DEFAULT_CLUSTER_OPTIONS.rankOrder, ...options.rankOrder };
    const distances = distanceMatrix(matrix);
    const knn = knnFromMatrix(distances, matrix.n, p.k);
    const stats = rankOrderCluster({ distances, n: matrix.n, knn, uf, evidence }, p);
    const merges = stats.merges + refined();
    return { result: buildResult(matrix, ids, uf.labels()), algorithm, knnMethod: 'exact', merges };
  }
  const p = { ...DEFAULT_CLUSTER_OPTIONS.approximate, ...options.approximate };
  const index = createKnnIndex(matrix, options.knn);
  stage('knn-index');
  let knn;
  try {
    knn = index.neighbours(p.k);
    stage('neighbours');
  } finally {
    // Freed before merging: the refine pass builds its own (smaller) index.
    index.dispose();
  }
  const indexKnn = knn;
  if (index.method !== 'exact') {
    const rounds = options.knnRefineRounds ?? DEFAULT_CLUSTER_OPTIONS.knnRefineRounds;
    for (let r = 0; r < rounds; r++) knn = refineKnn(matrix, knn);
    if (rounds > 0) stage('knn-refined');
  }
  let recall: { knnRecall: number; knnRecallIndex: number; recallMs: number } | undefined;
  if (options.measureKnnRecall && index.method !== 'exact') {
    const t0 = performance.now();
    const count = Math.min(options.measureKnnRecall, matrix.n);
    const rows = Array.from({ length: count }, (_, i) => Math.floor((i * matrix.n) / count));
    const exact = exactKnnRows(matrix, rows, p.k);
    recall = {
      knnRecall: knnRecall(exact, knn, rows),
      knnRecallIndex: knnRecall(exact, indexKnn, rows),
      recallMs: performance.now() - t0,
    };
  }
  const stats = approxRankOrderCluster(knn, uf, p, evidence);
  stage('merged');
  const attach = options.attach ?? DEFAULT_CLUSTER_OPTIONS.attach;
  const merges = stats.merges + refined() + (attach === false ? 0 : attachSingles(evidence, knn, attach));
  stage('refined');
  const result = buildResult(matrix, ids, uf.labels());
  stage('summarised');
  return { result, algorithm, knnMethod: index.method, merges, ...recall };
}
