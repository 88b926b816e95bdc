/** Exact vs approximate rank-order on N synthetic faces over a few exact-parameter settings. */
import { clusterWithStats } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';

const n = Number(process.argv[2] ?? 3000);
const s = syntheticFaces({ faces: n, seed: 4 });
const ids = s.faces.map((f) => f.id);
const runs: [string, Parameters<typeof clusterWithStats>[1]][] = [
  ['approx default', { algorithm: 'approximate-rank-order' }],
  ['exact default', { algorithm: 'rank-order' }],
  ['exact no D^N k=20 t=4', { algorithm: 'rank-order', rankOrder: { densityGate: false } }],
  ['exact no D^N k=10 t=8', { algorithm: 'rank-order', rankOrder: { k: 10, threshold: 8, densityGate: false } }],
];
for (const [name, o] of runs) {
  const t0 = performance.now();
  const r = clusterWithStats(s.faces, o);
  const m = clusteringMetrics(s.truth, labelsFromResult(ids, r.result));
  console.log(
    name.padEnd(24),
    `P ${m.pairwise.precision.toFixed(4)} R ${m.pairwise.recall.toFixed(4)} F ${m.pairwise.f.toFixed(4)} bF ${m.bcubed.f.toFixed(4)} cpi ${m.clusters_per_identity.toFixed(3)} ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );
}
