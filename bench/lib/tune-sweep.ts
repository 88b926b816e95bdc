import { clusterWithStats } from '#core/cluster/index.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';
import { loadCachedSet } from './cached.ts';

const sets = process.argv.slice(2);
for (const name of sets) {
  const s = loadCachedSet(name);
  const ids = s.faces.map((f) => f.id);
  const grid: [string, number[], number[]][] = [
    ['rank-order', [5, 10, 20, 40], [2.5, 3, 4, 6, 10]],
    ['approximate-rank-order', [5, 10, 20, 40], [0.25, 0.5, 0.75, 1, 1.5]],
  ];
  for (const [algorithm, ks, ts] of grid) {
    for (const k of ks)
      for (const t of ts)
        for (const md of [0.55, 0.6, 0.65, 0.7, 2]) {
          const run = clusterWithStats(s.faces, {
            algorithm: algorithm as 'rank-order',
            rankOrder: { k, threshold: t, maxDistance: md },
            approximate: { k, threshold: t, maxDistance: md },
          });
          const m = clusteringMetrics(s.truth, labelsFromResult(ids, run.result));
          console.log(
            name,
            algorithm.padEnd(24),
            `k=${k} t=${t} md=${md}`.padEnd(18),
            `pwP=${m.pairwise.precision.toFixed(3)} pwR=${m.pairwise.recall.toFixed(3)} bF=${m.bcubed.f.toFixed(3)} cpi=${m.clusters_per_identity.toFixed(2)} wrong=${m.wrong_faces}`,
          );
        }
  }
}
