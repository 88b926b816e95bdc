/** Score a few option sets on the cached dev sets: quick check of default candidates. */
import { clusterWithStats, type ClusterOptions } from '#core/cluster/index.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';
import { loadCachedSet } from './cached.ts';

const variants: [string, ClusterOptions][] = [
  ['exact k=20 t=4 md=.5 D^N', { algorithm: 'rank-order' }],
  ['exact k=20 t=4 md=.5 noDN', { algorithm: 'rank-order', rankOrder: { densityGate: false } }],
  [
    'exact k=10 t=4 md=.55 noDN',
    { algorithm: 'rank-order', rankOrder: { k: 10, maxDistance: 0.55, densityGate: false } },
  ],
  ['approx default', { algorithm: 'approximate-rank-order' }],
];
for (const name of process.argv.slice(2)) {
  const s = loadCachedSet(name);
  const ids = s.faces.map((f) => f.id);
  for (const [label, o] of variants) {
    const r = clusterWithStats(s.faces, o);
    const m = clusteringMetrics(s.truth, labelsFromResult(ids, r.result), ids);
    console.log(
      name.padEnd(11),
      label.padEnd(28),
      `P ${m.pairwise.precision.toFixed(4)} R ${m.pairwise.recall.toFixed(4)} bF ${m.bcubed.f.toFixed(4)} cpi ${m.clusters_per_identity.toFixed(3)} wrong ${m.wrong_faces}`,
    );
  }
}
