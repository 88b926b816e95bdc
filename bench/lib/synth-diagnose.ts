/** Where clustering loses BCubed F on calibrated synthetic faces, by identity size:
 * `npx tsx bench/lib/synth-diagnose.ts <faces> [seed]` (env CONFIGS=a,b; KNN='{"connectivity":12}').
 * The kNN graph is built once per run (HNSW, the clusterer's settings unless KNN says otherwise) and
 * cached under /tmp, so configurations compare on the same lists. Prints, per identity-size bucket,
 * the share of faces and their BCubed precision / recall, plus the share of each face's true
 * same-identity neighbours within the distance gate that its list holds. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { attachSingles } from '#core/cluster/attach.ts';
import { approxRankOrderCluster } from '#core/cluster/approx-rank-order.ts';
import { DEFAULT_CLUSTER_OPTIONS } from '#core/cluster/index.ts';
import { dissolveIncoherent } from '#core/cluster/gate.ts';
import { createKnnIndex, type KnnGraph, type KnnOptions } from '#core/cluster/knn/index.ts';
import { MergeEvidence, refineByAverageLink } from '#core/cluster/merge-evidence.ts';
import { constrainedUnionFind, prepareFaces } from '#core/cluster/prepare.ts';
import { buildResult } from '#core/cluster/summary.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';

const n = Number(process.argv[2] ?? 20000);
const seed = Number(process.argv[3] ?? 1);
const k = Number(process.env.K ?? 10);
const knnOptions = JSON.parse(process.env.KNN ?? '{}') as KnnOptions;
const set = syntheticFaces({ faces: n, seed });
const prepared = prepareFaces(set.faces);
const { matrix } = prepared;

function graph(): KnnGraph {
  const file = `${process.env.KNN_CACHE_DIR ?? '/tmp'}/w14b-knn-${n}-${seed}-${k}-${Buffer.from(JSON.stringify(knnOptions)).toString('hex')}.bin`;
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const indices = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + n * k * 4));
    const distances = new Float32Array(buf.buffer.slice(buf.byteOffset + n * k * 4, buf.byteOffset + n * k * 8));
    return { n, k, indices, distances };
  }
  const t0 = performance.now();
  const index = createKnnIndex(matrix, knnOptions);
  const t1 = performance.now();
  const g = index.neighbours(k);
  const t2 = performance.now();
  index.dispose();
  process.stderr.write(
    `knn ${index.method}: build ${((t1 - t0) / 1000).toFixed(1)} s, search ${((t2 - t1) / 1000).toFixed(1)} s\n`,
  );
  writeFileSync(file, Buffer.concat([Buffer.from(g.indices.buffer), Buffer.from(g.distances.buffer)]));
  return g;
}

const sizeOf = new Map<string, number>();
for (const t of set.truth) sizeOf.set(t, (sizeOf.get(t) ?? 0) + 1);
const BUCKETS = [1, 2, 3, 6, 21, 101, 1001];
const bucketOf = (s: number): number => BUCKETS.filter((b) => s >= b).length - 1;
const bucketName = (b: number): string =>
  b === BUCKETS.length - 1
    ? `${BUCKETS[b]}+`
    : BUCKETS[b + 1] - 1 === BUCKETS[b]
      ? `${BUCKETS[b]}`
      : `${BUCKETS[b]}-${BUCKETS[b + 1] - 1}`;

function perBucket(predicted: string[]): string {
  const clSize = new Map<string, number>();
  const cell = new Map<string, number>();
  predicted.forEach((p, i) => {
    clSize.set(p, (clSize.get(p) ?? 0) + 1);
    const key = `${p}\u0000${set.truth[i]}`;
    cell.set(key, (cell.get(key) ?? 0) + 1);
  });
  const rows = BUCKETS.map(() => ({ faces: 0, p: 0, r: 0 }));
  predicted.forEach((p, i) => {
    const c = cell.get(`${p}\u0000${set.truth[i]}`)!;
    const row = rows[bucketOf(sizeOf.get(set.truth[i])!)];
    row.faces++;
    row.p += c / clSize.get(p)!;
    row.r += c / sizeOf.get(set.truth[i])!;
  });
  // Loss in overall BCubed P/R contributed by the bucket (sum of 1 - p over its faces / n).
  return rows
    .map(
      (r, b) =>
        `| ${bucketName(b)} | ${((100 * r.faces) / n).toFixed(1)}% | ${(r.p / r.faces).toFixed(3)} | ${(r.r / r.faces).toFixed(3)} | ${((r.faces - r.p) / n).toFixed(4)} | ${((r.faces - r.r) / n).toFixed(4)} |`,
    )
    .join('\n');
}

/** Share of same-identity pairs within the distance gate that the kNN lists hold (per bucket). */
function listRecall(g: KnnGraph, maxDistance: number): string {
  const byId = new Map<string, number[]>();
  set.truth.forEach((t, i) => {
    if (sizeOf.get(t)! <= 20) (byId.get(t) ?? byId.set(t, []).get(t)!).push(i);
  });
  const found = BUCKETS.map(() => [0, 0]);
  for (const members of byId.values()) {
    if (members.length < 2) continue;
    const b = bucketOf(members.length);
    for (const a of members) {
      const list = new Set(g.indices.subarray(a * g.k, (a + 1) * g.k));
      for (const o of members) {
        if (o === a) continue;
        let dot = 0;
        for (let d = 0; d < matrix.dim; d++) dot += matrix.data[a * matrix.dim + d] * matrix.data[o * matrix.dim + d];
        if (1 - dot > maxDistance) continue;
        found[b][1]++;
        if (list.has(o)) found[b][0]++;
      }
    }
  }
  return found
    .map(([f, t], b) => (t ? `${bucketName(b)}: ${(f / t).toFixed(3)} of ${t}` : ''))
    .filter(Boolean)
    .join(', ');
}

interface Config {
  readonly approximate?: { k?: number; threshold?: number; maxDistance?: number };
  readonly maxAverageDistance?: number;
  readonly refine?: { k?: number; maxAverageDistance?: number } | false;
  readonly minCohesion?: number;
  readonly attach?: number;
}
const table: Record<string, Config> = JSON.parse(process.env.TABLE ?? '{}') as Record<string, Config>;
table.defaults ??= {};

const g = graph();
process.stdout.write(
  `${n} faces seed ${seed}, k ${k}; same-identity pairs within 0.5 held by the lists: ${listRecall(g, 0.5)}\n`,
);
for (const name of (process.env.CONFIGS ?? 'defaults').split(',')) {
  const c = table[name]!;
  const t0 = performance.now();
  const uf = constrainedUnionFind(prepared);
  const evidence = new MergeEvidence(uf, matrix, c.maxAverageDistance ?? DEFAULT_CLUSTER_OPTIONS.maxAverageDistance);
  const p = { ...DEFAULT_CLUSTER_OPTIONS.approximate, ...c.approximate };
  const kk = Math.min(p.k, g.k);
  const sub: KnnGraph = kk === g.k ? g : truncate(g, kk);
  approxRankOrderCluster(sub, uf, p, evidence);
  if (c.refine !== false) refineByAverageLink(evidence, matrix.dim, { ...DEFAULT_CLUSTER_OPTIONS.refine, ...c.refine });
  if (c.attach) attachSingles(evidence, sub, c.attach);
  const result = dissolveIncoherent(
    buildResult(matrix, prepared.ids, uf.labels()),
    c.minCohesion ?? DEFAULT_CLUSTER_OPTIONS.minCohesion,
    {},
  );
  const s = (performance.now() - t0) / 1000;
  const predicted = labelsFromResult(prepared.ids, result);
  const m = clusteringMetrics(set.truth, predicted);
  process.stdout.write(
    `\n### ${name} ${JSON.stringify(c)}: pairwise P ${m.pairwise.precision.toFixed(4)} R ${m.pairwise.recall.toFixed(4)} F ${m.pairwise.f.toFixed(4)}; BCubed P ${m.bcubed.precision.toFixed(4)} R ${m.bcubed.recall.toFixed(4)} F ${m.bcubed.f.toFixed(4)}; ${result.people.length} people; ${s.toFixed(1)} s\n`,
  );
  let alone = 0;
  let big = 0;
  let minor = 0;
  const largest = new Map<string, Map<string, number>>();
  predicted.forEach((p, i) => {
    if (sizeOf.get(set.truth[i])! < 101) return;
    big++;
    if (p.startsWith('u:')) alone++;
    else {
      const m = largest.get(set.truth[i]) ?? largest.set(set.truth[i], new Map()).get(set.truth[i])!;
      m.set(p, (m.get(p) ?? 0) + 1);
    }
  });
  for (const m of largest.values()) {
    const counts = [...m.values()].sort((x, y) => y - x);
    minor += counts.slice(1).reduce((x, y) => x + y, 0);
  }
  process.stdout.write(
    `identities of 101+: ${((100 * alone) / big).toFixed(1)}% of faces alone, ${((100 * minor) / big).toFixed(1)}% in a person other than the identity's largest\n`,
  );
  process.stdout.write(
    `| identity size | faces | BCubed P | BCubed R | P loss | R loss |\n|---|---|---|---|---|---|\n${perBucket(predicted)}\n`,
  );
}

function truncate(graph: KnnGraph, kk: number): KnnGraph {
  const indices = new Int32Array(graph.n * kk);
  const distances = new Float32Array(graph.n * kk);
  for (let r = 0; r < graph.n; r++) {
    indices.set(graph.indices.subarray(r * graph.k, r * graph.k + kk), r * kk);
    distances.set(graph.distances.subarray(r * graph.k, r * graph.k + kk), r * kk);
  }
  return { n: graph.n, k: kk, indices, distances };
}
