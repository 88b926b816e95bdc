/** `npm run bench:cluster [-- --sizes 10000,100000,1000000] [--no-scale] [--no-quality]`
 *
 * 1. Quality: every algorithm (rank-order defaults, and rank-order + each baseline tuned on
 *    lfw-df-dev by BCubed F over the same kind of grid) on the cached dev-set vectors
 *    (`.cache/vectors/`, made on first use by the default engine).
 * 2. Scale: `rankface bench cluster --faces N --json` in a child process per size, so each peak RSS
 *    is its own. Prints markdown tables (pasted into docs/clustering.md). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { clusterBaseline, type Baseline } from '#core/cluster/baselines/index.ts';
import { cluster, DEFAULT_CLUSTER_OPTIONS, type ClusterOptions } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import type { ClusterFace, ClusterResult } from '#core/cluster/types.ts';
import {
  clusteringMetrics,
  labelsFromResult,
  verificationMetrics,
  type ClusteringMetrics,
} from '#core/metrics/index.ts';
import { repoRoot } from '#test/helpers/data.ts';
import { loadCachedSet, vectorsDir, type CachedSet } from './lib/cached.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (opt('--sizes') ?? '10000,100000,1000000').split(',').map(Number);
/** Vector dimension of the 1M-face run: 512-D would be 2 GB of vectors held twice and ~4x the HNSW
 * distance cost; docs/clustering.md reports which dimension each figure used. */
const bigDim = Number(opt('--big-dim') ?? 512);
const SETS = ['lfw-df-dev', 'lfw-120', 'bbt'];
const TUNE_SET = 'lfw-df-dev';

interface Candidate {
  readonly label: string;
  run(faces: ClusterFace[]): ClusterResult;
}

function grid<T>(axes: T[][]): T[][] {
  return axes.reduce<T[][]>((acc, axis) => acc.flatMap((prefix) => axis.map((v) => [...prefix, v])), [[]]);
}

const rankOrder = (k: number, threshold: number, maxDistance: number, densityGate = false): Candidate => ({
  label: `rank-order k=${k} t=${threshold} d<=${maxDistance}${densityGate ? ' +D^N' : ''}`,
  run: (faces) => cluster(faces, { algorithm: 'rank-order', rankOrder: { k, threshold, maxDistance, densityGate } }),
});
const approx = (k: number, threshold: number, maxDistance: number): Candidate => ({
  label: `approx rank-order k=${k} t=${threshold} d<=${maxDistance}`,
  run: (faces) =>
    cluster(faces, {
      algorithm: 'approximate-rank-order',
      approximate: { k, threshold, maxDistance },
      knn: { method: 'exact' },
    }),
});
const baseline = (label: string, b: Baseline): Candidate => ({ label, run: (faces) => clusterBaseline(faces, b) });

const families: { name: string; candidates: Candidate[] }[] = [
  {
    name: 'rank-order (exact)',
    candidates: grid([
      [10, 20, 40],
      [3, 4, 8],
      [0.45, 0.5, 0.55, 0.6],
    ]).map(([k, t, d]) => rankOrder(k, t, d)),
  },
  {
    name: "rank-order (exact, with the paper's D^N < 1 gate)",
    candidates: grid([[10, 20], [4], [0.5, 0.55, 0.6, 2]]).map(([k, t, d]) => rankOrder(k, t, d, true)),
  },
  {
    name: 'approximate rank-order',
    candidates: grid([
      [5, 10, 20],
      [1, 2, 4, 8],
      [0.45, 0.5, 0.55, 0.6],
    ]).map(([k, t, d]) => approx(k, t, d)),
  },
  {
    name: 'DBSCAN',
    candidates: grid([
      [0.4, 0.45, 0.5, 0.55, 0.6, 0.65],
      [2, 3, 4],
    ]).map(([eps, minPoints]) =>
      baseline(`DBSCAN eps=${eps} minPts=${minPoints}`, { algorithm: 'dbscan', params: { eps, minPoints } }),
    ),
  },
  {
    name: 'Chinese Whispers',
    candidates: [0.4, 0.45, 0.5, 0.55, 0.6, 0.65].map((threshold) =>
      baseline(`Chinese Whispers d<${threshold}`, { algorithm: 'chinese-whispers', params: { threshold } }),
    ),
  },
  {
    name: 'average linkage',
    candidates: [0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75].map((threshold) =>
      baseline(`average linkage d<${threshold}`, { algorithm: 'average-linkage', params: { threshold } }),
    ),
  },
];

function score(set: CachedSet, c: Candidate): ClusteringMetrics {
  const ids = set.faces.map((f) => f.id);
  return clusteringMetrics(set.truth, labelsFromResult(ids, c.run(set.faces)), ids);
}

const f3 = (v: number): string => v.toFixed(3);

function ensureVectors(): void {
  if (SETS.every((s) => existsSync(join(vectorsDir, `${s}.json`)))) return;
  process.stderr.write('embedding the dev sets once (cached under .cache/vectors)...\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'lib', 'embed-sets.ts'), ...SETS], {
    stdio: 'inherit',
    cwd: repoRoot,
  });
  if (r.status !== 0) throw new Error('embedding the dev sets failed');
}

function quality(): void {
  ensureVectors();
  // Plus a calibrated synthetic set with heavy-tailed identity sizes (people with hundreds of faces,
  // which the LFW sets lack): not used for tuning.
  const synth = syntheticFaces({ faces: 3000, seed: 11 });
  const sets: CachedSet[] = [
    ...SETS.map(loadCachedSet),
    { set: 'synthetic-3k', modelId: 'synthetic', faces: synth.faces, truth: synth.truth, msPerImage: 0 },
  ];
  const dev = sets.find((s) => s.set === TUNE_SET)!;
  console.log('## Verification (embeddings alone)\n');
  console.log('| set | faces | identities | ROC AUC | TAR@FAR=1e-3 |');
  console.log('|---|---|---|---|---|');
  for (const s of sets) {
    const v = verificationMetrics(
      s.faces.map((f) => f.vector),
      s.truth,
    );
    console.log(
      `| ${s.set} | ${s.faces.length} | ${new Set(s.truth).size} | ${v.auc.toFixed(4)} | ${f3(v.tar_at_far)} |`,
    );
  }

  const defaults: Candidate = { label: `**rank-order, defaults** (auto)`, run: (faces) => cluster(faces) };
  const rows: Candidate[] = [defaults];
  console.log(`\n## Tuning on ${TUNE_SET} (BCubed F; pairwise precision in brackets)\n`);
  for (const fam of families) {
    let best: { c: Candidate; m: ClusteringMetrics } | undefined;
    const curve: string[] = [];
    for (const c of fam.candidates) {
      const m = score(dev, c);
      curve.push(
        `| ${c.label} | ${f3(m.pairwise.precision)} | ${f3(m.pairwise.recall)} | ${f3(m.bcubed.f)} | ${f3(m.clusters_per_identity)} |`,
      );
      if (
        !best ||
        m.bcubed.f > best.m.bcubed.f + 1e-12 ||
        (Math.abs(m.bcubed.f - best.m.bcubed.f) <= 1e-12 && m.pairwise.precision > best.m.pairwise.precision)
      )
        best = { c, m };
    }
    console.log(`### ${fam.name}: best ${best!.c.label} (BCubed F ${f3(best!.m.bcubed.f)})\n`);
    console.log('| params | pairwise P | pairwise R | BCubed F | clusters/identity |');
    console.log('|---|---|---|---|---|');
    for (const line of curve) console.log(line);
    console.log('');
    rows.push({ label: `${best!.c.label} (tuned)`, run: best!.c.run });
  }
  console.log('\n## Quality (pairwise P / R, BCubed F, clusters per identity)\n');
  console.log(`| algorithm | ${sets.map((s) => s.set).join(' | ')} |`);
  console.log(`|---|${sets.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cells = sets.map((s) => {
      const m = score(s, r);
      return `${f3(m.pairwise.precision)} / ${f3(m.pairwise.recall)}, **${f3(m.bcubed.f)}**, ${m.clusters_per_identity.toFixed(2)}`;
    });
    console.log(`| ${r.label} | ${cells.join(' | ')} |`);
  }
  console.log(`\nDefaults: ${JSON.stringify(DEFAULT_CLUSTER_OPTIONS satisfies ClusterOptions)}`);
}

function scale(): void {
  console.log(`\n## Scale (synthetic faces, default options; 512-D below 1M faces, ${bigDim}-D from 1M)\n`);
  console.log(
    '| faces | identities | seconds | peak RSS (MB) | pairwise F | BCubed F | pairwise P / R | kNN | HNSW recall@10 |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const dim = n >= 1_000_000 ? bigDim : 512;
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin', 'rankface.js'), 'bench', 'cluster', '--faces', String(n), '--dim', String(dim), '--json'],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (r.status !== 0) {
      console.log(`| ${n} | failed (exit ${r.status}) | | | |`);
      process.stderr.write(r.stderr);
      continue;
    }
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      faces: number;
      seconds: number;
      peak_rss_mb: number;
      pairwise_f: number;
      bcubed_f: number;
    };
    const line = r.stderr.split('\n').find((l) => l.startsWith('# details '));
    const d = line
      ? (JSON.parse(line.slice('# details '.length)) as {
          identities: number;
          pairwise_precision: number;
          pairwise_recall: number;
          knn: string;
          knn_recall: number | null;
        })
      : undefined;
    console.log(
      `| ${j.faces} | ${d?.identities ?? ''} | ${j.seconds} | ${j.peak_rss_mb} | ${j.pairwise_f} | ${j.bcubed_f} | ${d ? `${d.pairwise_precision} / ${d.pairwise_recall}` : ''} | ${d?.knn ?? ''} | ${d?.knn_recall ?? ''} |`,
    );
  }
}

if (!args.includes('--no-quality')) quality();
if (!args.includes('--no-scale')) scale();
