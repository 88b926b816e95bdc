/** Sweep approximate rank-order (k, threshold, maxDistance) on one kNN graph per set: a dev set's
 * cached vectors or N synthetic faces. `tsx bench/lib/sweep-approx.ts lfw-df-dev synthetic:10000` */
import { approxRankOrderCluster } from '#core/cluster/approx-rank-order.ts';
import { createKnnIndex, truncateKnn } from '#core/cluster/knn/index.ts';
import { constrainedUnionFind, prepareFaces } from '#core/cluster/prepare.ts';
import { buildResult } from '#core/cluster/summary.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import type { ClusterFace } from '#core/cluster/types.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';
import { loadCachedSet } from './cached.ts';

const ks = [5, 10, 20, 30];
const ts = [0.5, 1, 2, 4, 8];
const mds = [0.45, 0.5, 0.55, 0.6];
for (const name of process.argv.slice(2)) {
  let faces: ClusterFace[];
  let truth: string[];
  if (name.startsWith('synthetic:')) {
    const s = syntheticFaces({ faces: Number(name.split(':')[1]), seed: 2 });
    faces = s.faces;
    truth = s.truth;
  } else {
    const s = loadCachedSet(name);
    faces = s.faces;
    truth = s.truth;
  }
  const truthOf = new Map(faces.map((f, i) => [f.id, truth[i]]));
  const prepared = prepareFaces(faces);
  const sortedTruth = prepared.ids.map((id) => truthOf.get(id)!);
  const full = createKnnIndex(prepared.matrix).neighbours(Math.max(...ks));
  for (const k of ks) {
    const g = truncateKnn(full, k);
    for (const t of ts)
      for (const md of mds) {
        const uf = constrainedUnionFind(prepared);
        approxRankOrderCluster(g, uf, { threshold: t, maxDistance: md });
        const r = buildResult(prepared.matrix, prepared.ids, uf.labels());
        const m = clusteringMetrics(sortedTruth, labelsFromResult(prepared.ids, r));
        console.log(
          [
            name,
            k,
            t,
            md,
            m.pairwise.precision.toFixed(4),
            m.pairwise.recall.toFixed(4),
            m.pairwise.f.toFixed(4),
            m.bcubed.f.toFixed(4),
            m.clusters_per_identity.toFixed(3),
            m.wrong_faces,
          ].join('\t'),
        );
      }
  }
}
