import { distanceMatrix } from '../knn/index.ts';
import { constrainedUnionFind, prepareFaces } from '../prepare.ts';
import { buildResult } from '../summary.ts';
import type { ClusterConstraints, ClusterFace, ClusterResult } from '../types.ts';
import { averageLinkage, type AverageLinkageParams } from './average-linkage.ts';
import { chineseWhispers, type ChineseWhispersParams } from './chinese-whispers.ts';
import { dbscan, type DbscanParams } from './dbscan.ts';

/** Baselines for the benchmark, on the same input/output and constraints as `cluster()`. They work
 * on the full distance matrix: fine for dev sets, not meant for large n. */
export type Baseline =
  | { readonly algorithm: 'dbscan'; readonly params: DbscanParams }
  | { readonly algorithm: 'chinese-whispers'; readonly params: ChineseWhispersParams }
  | { readonly algorithm: 'average-linkage'; readonly params: AverageLinkageParams };

export function clusterBaseline(
  faces: readonly ClusterFace[],
  baseline: Baseline,
  constraints: ClusterConstraints = {},
): ClusterResult {
  const prepared = prepareFaces(faces);
  const uf = constrainedUnionFind(prepared, constraints);
  const { n } = prepared.matrix;
  if (n >= 2) {
    const dist = distanceMatrix(prepared.matrix);
    if (baseline.algorithm === 'dbscan') dbscan(dist, n, uf, baseline.params);
    else if (baseline.algorithm === 'chinese-whispers') chineseWhispers(dist, n, uf, baseline.params);
    else averageLinkage(dist, n, uf, baseline.params);
  }
  return buildResult(prepared.matrix, prepared.ids, uf.labels());
}

export type { DbscanParams, ChineseWhispersParams, AverageLinkageParams };
