/** Clusterer guards on calibrated synthetic faces: `npx tsx bench/lib/synth-sweep.ts <faces> [seed]`.
 * Prints pairwise P/R/F and BCubed F per configuration (same faces, same kNN settings). */
import { clusterWithStats, type ClusterOptions } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';

const n = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? 1);
const set = syntheticFaces({ faces: n, seed });
const configs: [string, ClusterOptions][] = (process.env.CONFIGS ?? 'before,defaults')
  .split(',')
  .map((name): [string, ClusterOptions] => {
    const table: Record<string, ClusterOptions> = {
      before: { maxAverageDistance: Infinity, refine: false, minCohesion: 0 },
      defaults: {},
      guard: { maxAverageDistance: 0.6, refine: false },
      refine45: { maxAverageDistance: 0.6, refine: { maxAverageDistance: 0.45 } },
      refine50: { maxAverageDistance: 0.6, refine: { maxAverageDistance: 0.5 } },
      refine55: { maxAverageDistance: 0.6, refine: { maxAverageDistance: 0.55 } },
    };
    return [name, table[name]!];
  });
process.stdout.write(
  `| ${n} faces, seed ${seed} | pairwise P | pairwise R | pairwise F | BCubed F | people | seconds |\n|---|---|---|---|---|---|---|\n`,
);
for (const [name, options] of configs) {
  const t0 = performance.now();
  const run = clusterWithStats(set.faces, options);
  const s = (performance.now() - t0) / 1000;
  const m = clusteringMetrics(
    set.truth,
    labelsFromResult(
      set.faces.map((f) => f.id),
      run.result,
    ),
  );
  process.stdout.write(
    `| ${name} | ${m.pairwise.precision.toFixed(4)} | ${m.pairwise.recall.toFixed(4)} | ${m.pairwise.f.toFixed(4)} | ${m.bcubed.f.toFixed(4)} | ${run.result.people.length} | ${s.toFixed(1)} |\n`,
  );
}
