/** Score option sets on the cached dev sets: `npx tsx bench/lib/dev-guard-check.ts` (env VARIANTS JSON). */
import { clusterWithStats, type ClusterOptions } from '#core/cluster/index.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';
import { loadCachedSet } from './cached.ts';

const variants = JSON.parse(process.env.VARIANTS ?? '{"defaults":{}}') as Record<string, ClusterOptions>;
for (const name of ['lfw-df-dev', 'lfw-120', 'bbt']) {
  const s = loadCachedSet(name);
  const ids = s.faces.map((f) => f.id);
  for (const [label, o] of Object.entries(variants)) {
    const r = clusterWithStats(s.faces, o);
    const m = clusteringMetrics(s.truth, labelsFromResult(ids, r.result), ids);
    console.log(
      name.padEnd(11),
      label.padEnd(20),
      `P ${m.pairwise.precision.toFixed(4)} R ${m.pairwise.recall.toFixed(4)} bF ${m.bcubed.f.toFixed(4)} cpi ${m.clusters_per_identity.toFixed(3)} wrong ${m.wrong_faces} viol ${m.same_photo_violations}`,
    );
  }
}
