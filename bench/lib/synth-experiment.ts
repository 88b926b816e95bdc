/** Experiments on calibrated synthetic faces with one cached kNN graph (and the generated faces cached):
 * `npx tsx bench/lib/synth-experiment.ts <faces>` with env CONFIGS (JSON array of configs), KG (graph k, 10),
 * KNN (HNSW options JSON), KNN_CACHE_DIR. Prints overall pairwise/BCubed, the loss by identity size, and
 * the wrong unions by kind (pair of single faces / face joining a group / two groups) and stage. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { approxRankOrderCluster } from '#core/cluster/approx-rank-order.ts';
import { attachSingles } from '#core/cluster/attach.ts';
import { dissolveIncoherent } from '#core/cluster/gate.ts';
import { DEFAULT_CLUSTER_OPTIONS } from '#core/cluster/index.ts';
import { dotRows } from '#core/cluster/knn/dot.ts';
import { createKnnIndex, exactKnnRows, knnRecall, type KnnGraph, type KnnOptions } from '#core/cluster/knn/index.ts';
import { RowHeaps } from '#core/cluster/knn/heap.ts';
import { MergeEvidence, refineByAverageLink } from '#core/cluster/merge-evidence.ts';
import { constrainedUnionFind, prepareFaces } from '#core/cluster/prepare.ts';
import { buildResult } from '#core/cluster/summary.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';
import type { ClusterFace } from '#core/cluster/types.ts';

const n = Number(process.argv[2] ?? 100000);
const seed = 1;
const kg = Number(process.env.KG ?? 10);
const knnOptions = JSON.parse(process.env.KNN ?? '{}') as KnnOptions;
const dir = process.env.KNN_CACHE_DIR ?? '/tmp';
/** The generated set, cached in the scratch dir (a million faces take minutes to generate). */
function synthetic(): { faces: ClusterFace[]; truth: string[] } {
  const vf = `${dir}/synth-${n}-${seed}.f32`;
  const tf = `${dir}/synth-${n}-${seed}.truth.i32`;
  if (!existsSync(vf)) {
    const s = syntheticFaces({ faces: n, seed });
    const first = s.faces[0].vector;
    writeFileSync(vf, new Uint8Array(first.buffer, first.byteOffset, n * first.length * 4));
    writeFileSync(tf, Buffer.from(Int32Array.from(s.truth, (t) => Number(t.slice(2))).buffer));
    return s;
  }
  const vb = readFileSync(vf);
  const vectors = new Float32Array(vb.buffer, vb.byteOffset, vb.byteLength / 4);
  const d = vectors.length / n;
  const tb = readFileSync(tf);
  const ids = new Int32Array(tb.buffer.slice(tb.byteOffset, tb.byteOffset + tb.byteLength));
  const pad = String(n).length;
  const faces: ClusterFace[] = [];
  for (let i = 0; i < n; i++)
    faces.push({
      id: `f${String(i).padStart(pad, '0')}`,
      photoId: `ph${i}`,
      vector: vectors.subarray(i * d, (i + 1) * d),
      modelId: 'synthetic',
    });
  return { faces, truth: Array.from(ids, (x) => `id${x}`) };
}
const set = synthetic();
const prepared = prepareFaces(set.faces);
const { matrix } = prepared;
const { data, dim } = matrix;
const idOf = new Int32Array(n);
{
  const m = new Map<string, number>();
  set.truth.forEach((t, i) => {
    let v = m.get(t);
    if (v === undefined) m.set(t, (v = m.size));
    idOf[i] = v;
  });
}

function load(file: string, rows: number, k: number): KnnGraph | undefined {
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  const indices = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * k * 4));
  const distances = new Float32Array(buf.buffer.slice(buf.byteOffset + rows * k * 4, buf.byteOffset + rows * k * 8));
  return { n: rows, k, indices, distances };
}
const save = (file: string, g: KnnGraph): void =>
  writeFileSync(file, Buffer.concat([Buffer.from(g.indices.buffer), Buffer.from(g.distances.buffer)]));

function graph(): KnnGraph {
  const file = `${dir}/w14b-knn-${n}-${seed}-${kg}-${Buffer.from(JSON.stringify(knnOptions)).toString('hex')}.bin`;
  const cached = load(file, n, kg);
  if (cached) return cached;
  const t0 = performance.now();
  const index = createKnnIndex(matrix, knnOptions);
  const t1 = performance.now();
  const g = index.neighbours(kg);
  const t2 = performance.now();
  index.dispose();
  process.stderr.write(`knn: build ${((t1 - t0) / 1000).toFixed(1)} s, search ${((t2 - t1) / 1000).toFixed(1)} s\n`);
  save(file, g);
  return g;
}

const SAMPLE = 300;
const sampleRows = Array.from({ length: SAMPLE }, (_, i) => Math.floor((i * n) / SAMPLE));
function exactSample(): KnnGraph {
  const file = `${dir}/exact-${n}-${seed}-20-${SAMPLE}.bin`;
  const cached = load(file, SAMPLE, 20);
  if (cached) return cached;
  const g = exactKnnRows(matrix, sampleRows, 20);
  save(file, g);
  return g;
}
const truncate = (g: KnnGraph, k: number): KnnGraph => {
  if (k >= g.k) return g;
  const indices = new Int32Array(g.n * k);
  const distances = new Float32Array(g.n * k);
  for (let r = 0; r < g.n; r++) {
    indices.set(g.indices.subarray(r * g.k, r * g.k + k), r * k);
    distances.set(g.distances.subarray(r * g.k, r * g.k + k), r * k);
  }
  return { n: g.n, k, indices, distances };
};

/** One neighbour-of-neighbour round (NN-descent style): candidates of a = its list, the lists of its
 * neighbours, and the faces that list a; exact re-scoring, best k kept. */
function descend(g: KnnGraph, k: number, reverse: boolean, expand = true): KnnGraph {
  const heaps = new RowHeaps(n, k);
  const mark = new Int32Array(n).fill(-1);
  // reverse lists
  let revStart: Int32Array | undefined;
  let rev: Int32Array | undefined;
  if (reverse) {
    const count = new Int32Array(n + 1);
    for (let i = 0; i < g.n * g.k; i++) if (g.indices[i] >= 0) count[g.indices[i] + 1]++;
    for (let i = 0; i < n; i++) count[i + 1] += count[i];
    revStart = count.slice();
    rev = new Int32Array(count[n]);
    const fill = count.slice();
    for (let a = 0; a < n; a++)
      for (let j = 0; j < g.k; j++) {
        const b = g.indices[a * g.k + j];
        if (b >= 0) rev[fill[b]++] = a;
      }
  }
  const consider = (a: number, c: number): void => {
    if (c < 0 || c === a || mark[c] === a) return;
    mark[c] = a;
    const d = 1 - dotRows(data, a * dim, data, c * dim, dim);
    if (d <= heaps.bound(a)) heaps.push(a, c, d);
  };
  for (let a = 0; a < n; a++) {
    const direct: number[] = [];
    for (let j = 0; j < g.k; j++) direct.push(g.indices[a * g.k + j]);
    if (rev) for (let x = revStart![a]; x < revStart![a + 1]; x++) direct.push(rev[x]);
    for (const b of direct) consider(a, b);
    if (expand)
      for (const b of direct) {
        if (b < 0) continue;
        for (let j = 0; j < g.k; j++) consider(a, g.indices[b * g.k + j]);
      }
  }
  const { indices, distances } = heaps.toGraph();
  return { n, k, indices, distances };
}

interface Config {
  name?: string;
  k?: number;
  threshold?: number;
  maxDistance?: number;
  /** kNN refinement rounds (neighbour of neighbour), with reverse edges. */
  descend?: number;
  reverse?: boolean;
  expand?: boolean;
  /** Only mutual top-k pairs link. */
  mutual?: boolean;
  /** Guard limits: face joining a group, group + group, and pair of two singles (face distance). */
  faceGroup?: number;
  groupGroup?: number;
  pair?: number;
  refine?: { k?: number; maxAverageDistance?: number } | false;
  attach?: number | false;
  minCohesion?: number;
  /** Post pass: members whose average similarity to the rest of their person is below this leave. */
  evict?: number;
  evictRounds?: number;
}

class Tally {
  counts = new Map<string, [number, number]>();
  add(key: string, wrong: boolean): void {
    const c = this.counts.get(key) ?? [0, 0];
    c[0]++;
    if (wrong) c[1]++;
    this.counts.set(key, c);
  }
  toString(): string {
    return [...this.counts]
      .map(([k, [t, w]]) => `${k}: ${t} unions, ${w} wrong (${((100 * w) / Math.max(1, t)).toFixed(1)}%)`)
      .join('; ');
  }
}

/** Majority identity per union-find root, maintained approximately: the identity of the group's first
 * face pair-count map is too heavy; we use identity counts per root in maps merged small-into-large. */
class Majority {
  readonly maps = new Map<number, Map<number, number>>();
  of(root: number, face: number): Map<number, number> {
    return this.maps.get(root) ?? new Map([[idOf[face], 1]]);
  }
  major(m: Map<number, number>): number {
    let best = -1;
    let bc = -1;
    for (const [k, v] of m)
      if (v > bc) {
        bc = v;
        best = k;
      }
    return best;
  }
}

class GuardedEvidence extends MergeEvidence {
  stage = 'link';
  readonly tally = new Tally();
  readonly maj = new Majority();
  constructor(
    private readonly ufRef: ReturnType<typeof constrainedUnionFind>,
    private readonly c: Config,
  ) {
    super(ufRef, matrix, c.faceGroup ?? DEFAULT_CLUSTER_OPTIONS.maxAverageDistance);
  }
  override union(a: number, b: number, limit?: number): boolean {
    const ra = this.ufRef.find(a),
      rb = this.ufRef.find(b);
    if (ra === rb) return false;
    const sa = this.sizeOf(ra),
      sb = this.sizeOf(rb);
    const kind = sa === 1 && sb === 1 ? 'pair' : sa === 1 || sb === 1 ? 'face+group' : 'group+group';
    let lim = limit;
    if (lim === undefined) {
      if (kind === 'pair') lim = Infinity;
      else if (kind === 'face+group') lim = this.c.faceGroup ?? DEFAULT_CLUSTER_OPTIONS.maxAverageDistance;
      else lim = this.c.groupGroup ?? this.c.faceGroup ?? DEFAULT_CLUSTER_OPTIONS.maxAverageDistance;
    }
    if (
      kind === 'pair' &&
      this.stage !== 'rebuild' &&
      this.c.pair !== undefined &&
      this.averageDistance(ra, rb) > this.c.pair
    )
      return false;
    const ma = this.maj.of(ra, a),
      mb = this.maj.of(rb, b);
    const ok = super.union(a, b, lim);
    if (!ok) return false;
    const wrong = this.maj.major(ma) !== this.maj.major(mb);
    this.tally.add(`${this.stage}/${kind}`, wrong);
    const [small, large] = ma.size <= mb.size ? [ma, mb] : [mb, ma];
    for (const [k, v] of small) large.set(k, (large.get(k) ?? 0) + v);
    this.maj.maps.delete(ra);
    this.maj.maps.delete(rb);
    this.maj.maps.set(this.ufRef.find(a), large);
    return true;
  }
}

function linkPass(g: KnnGraph, ev: GuardedEvidence, c: Config, uf: ReturnType<typeof constrainedUnionFind>): void {
  const p = {
    threshold: c.threshold ?? DEFAULT_CLUSTER_OPTIONS.approximate.threshold,
    maxDistance: c.maxDistance ?? DEFAULT_CLUSTER_OPTIONS.approximate.maxDistance,
  };
  if (!c.mutual) {
    approxRankOrderCluster(g, uf, p, ev);
    return;
  }
  // Mutual variant: drop non-mutual entries from the lists first (pad with -1).
  const { k } = g;
  const indices = g.indices.slice();
  const distances = g.distances.slice();
  const inList = (a: number, b: number): boolean => {
    for (let j = 0; j < k; j++) if (g.indices[a * k + j] === b) return true;
    return false;
  };
  for (let a = 0; a < n; a++) {
    let w = 0;
    for (let j = 0; j < k; j++) {
      const b = g.indices[a * k + j];
      if (b >= 0 && inList(b, a)) {
        indices[a * k + w] = b;
        distances[a * k + w] = g.distances[a * k + j];
        w++;
      }
    }
    for (; w < k; w++) {
      indices[a * k + w] = -1;
      distances[a * k + w] = Infinity;
    }
  }
  approxRankOrderCluster({ n, k, indices, distances }, uf, p, ev);
}

/** Members whose mean similarity to the other members of their group is below `min` are cut loose. */
function evict(ev: GuardedEvidence, uf: ReturnType<typeof constrainedUnionFind>, min: number): number[] {
  const labels = uf.labels();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const m = ev.sizeOf(r);
    if (m < 3) continue;
    const s = ev.sumOf(r);
    const self = 1; // unit vectors
    const avg = (dotRows(s, 0, data, i * dim, dim) - self) / (m - 1);
    if (avg < min) out.push(i);
  }
  void labels;
  return out;
}

const baseGraph = graph();
const exact = exactSample();
const configs = JSON.parse(process.env.CONFIGS ?? '[{}]') as Config[];
const sizeOf = new Int32Array(n);
{
  const c = new Map<number, number>();
  for (let i = 0; i < n; i++) c.set(idOf[i], (c.get(idOf[i]) ?? 0) + 1);
  for (let i = 0; i < n; i++) sizeOf[i] = c.get(idOf[i])!;
}
const BUCKETS = [1, 2, 3, 6, 21, 101, 1001];
const bucketOf = (s: number): number => BUCKETS.filter((b) => s >= b).length - 1;

const graphs = new Map<string, KnnGraph>();
for (const c of configs) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let g = truncate(baseGraph, Math.min(c.k ?? 10, baseGraph.k));
  const kk = c.k ?? 10;
  if (c.descend) {
    const key = `${kk}-${c.descend}-${c.reverse ?? true}-${c.expand ?? true}`;
    const file = `${dir}/desc-${n}-${kg}-${key}.bin`;
    let dg = graphs.get(key) ?? load(file, n, kk);
    if (!dg) {
      const td = performance.now();
      dg = baseGraph;
      for (let r = 0; r < c.descend; r++)
        dg = descend(r === 0 ? truncate(dg, kk) : dg, kk, c.reverse ?? true, c.expand ?? true);
      process.stderr.write(`descend ${key}: ${((performance.now() - td) / 1000).toFixed(1)} s\n`);
      save(file, dg);
    }
    graphs.set(key, dg);
    g = dg;
  }
  const recall = knnRecall(truncate(exact, g.k), g, sampleRows);
  const uf = constrainedUnionFind(prepared);
  const ev = new GuardedEvidence(uf, c);
  linkPass(g, ev, c, uf);
  ev.stage = 'refine';
  if (c.refine !== false)
    refineByAverageLink(ev, dim, { ...DEFAULT_CLUSTER_OPTIONS.refine, ...(c.refine ?? {}) }, knnOptions);
  ev.stage = 'attach';
  const attach = c.attach ?? DEFAULT_CLUSTER_OPTIONS.attach;
  if (attach !== false) attachSingles(ev, g, attach);
  let curUf = uf;
  let curEv = ev;
  if (c.evict !== undefined) {
    // Evicted faces are re-clustered as singles: rebuild the union-find without them, then re-attach.
    for (let round = 0; round < (c.evictRounds ?? 1); round++) {
      const gone = new Set(evict(curEv, curUf, c.evict));
      const labels = curUf.labels();
      const uf2 = constrainedUnionFind(prepared);
      const ev2 = new GuardedEvidence(uf2, c);
      ev2.stage = 'rebuild';
      const first = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        if (gone.has(i)) continue;
        const f = first.get(labels[i]);
        if (f === undefined) first.set(labels[i], i);
        else ev2.union(f, i, Infinity);
      }
      ev2.tally.counts.clear();
      ev2.stage = 'reattach';
      if (attach !== false) attachSingles(ev2, g, attach);
      process.stderr.write(`evicted ${gone.size}\n`);
      curUf = uf2;
      curEv = ev2;
    }
  }
  const finalUf = curUf;
  const finalEv = curEv;
  const result = dissolveIncoherent(
    buildResult(matrix, prepared.ids, finalUf.labels()),
    c.minCohesion ?? DEFAULT_CLUSTER_OPTIONS.minCohesion,
    {},
  );
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const predicted = labelsFromResult(prepared.ids, result);
  const m = clusteringMetrics(set.truth, predicted);
  // bucket losses
  const clSize = new Map<string, number>();
  const cell = new Map<string, number>();
  predicted.forEach((p, i) => {
    clSize.set(p, (clSize.get(p) ?? 0) + 1);
    const key = `${p}\u0000${idOf[i]}`;
    cell.set(key, (cell.get(key) ?? 0) + 1);
  });
  const rows = BUCKETS.map(() => ({ faces: 0, p: 0, r: 0 }));
  predicted.forEach((p, i) => {
    const cc = cell.get(`${p}\u0000${idOf[i]}`)!;
    const row = rows[bucketOf(sizeOf[i])];
    row.faces++;
    row.p += cc / clSize.get(p)!;
    row.r += cc / sizeOf[i];
  });
  const loss = rows
    .map((r, b) => `${BUCKETS[b]}:${((r.faces - r.p) / n).toFixed(4)}/${((r.faces - r.r) / n).toFixed(4)}`)
    .join(' ');
  process.stdout.write(
    `\n## ${c.name ?? JSON.stringify(c)}\nrecall@${g.k} ${recall.toFixed(3)} | pairwise P ${m.pairwise.precision.toFixed(4)} R ${m.pairwise.recall.toFixed(4)} F ${m.pairwise.f.toFixed(4)} | BCubed P ${m.bcubed.precision.toFixed(4)} R ${m.bcubed.recall.toFixed(4)} F ${m.bcubed.f.toFixed(4)} | ${result.people.length} people | ${s.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU\nloss P/R by size ${loss}\n${ev.tally.toString()}${finalEv !== ev ? `\n${finalEv.tally.toString()}` : ''}\n`,
  );
}
