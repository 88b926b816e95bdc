/** The "phone photos" part of `npm run bench:engine -- --phone`: the group photos of ../shared/data
 * re-encoded by the benchmark as phone-size JPEGs (1, 4, 12, 24 MP, quality 90, aspect kept), run
 * through our analyzer (one process, ONNX Runtime on 2 threads), our worker pool (2 workers x 1
 * thread) and face-api's own pipeline, in the same run. Ours and face-api are interleaved photo by
 * photo so that load from other jobs hits both alike; the pool runs each size class right after.
 * Peak RSS: the whole `rankface detect --json` CLI process on one 12 MP and one 48 MP photo. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readEngineConfig } from '#config/engine.ts';
import { createAnalyzerPool } from '#core/vision/pool.ts';
import { dataPath, repoRoot } from '#test/helpers/data.ts';
import { createRunner, groupPhotos } from './engine-pipelines.ts';

export const PHONE_MEGAPIXELS = [1, 4, 12, 24] as const;
const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed'] as const;

export interface PhoneClassResult {
  readonly megapixels: number;
  readonly photos: number;
  readonly annotatedFaces: number;
  readonly ours: { readonly faces: number; readonly wallMs: number; readonly stageMs: Record<string, number> };
  readonly pool: { readonly faces: number; readonly wallMs: number };
  readonly faceapi: { readonly faces: number; readonly wallMs: number };
}

export interface PhoneRssResult {
  readonly megapixels: number;
  readonly peakRssMb: number;
  readonly faces: number;
}

export interface PhoneBenchResult {
  readonly started: string;
  readonly load: string;
  readonly classes: PhoneClassResult[];
  readonly rss: PhoneRssResult[];
}

/** The photo re-encoded at about `mp` megapixels (never below its own size: small photos are
 * enlarged, as a phone's would hold the same scene with more pixels). */
export async function reencode(bytes: Uint8Array, mp: number): Promise<Uint8Array> {
  const meta = await sharp(bytes).metadata();
  const k = Math.sqrt((mp * 1e6) / (meta.width! * meta.height!));
  const out = await sharp(bytes)
    .rotate()
    .resize(Math.round(meta.width! * k), Math.round(meta.height! * k), { fit: 'fill', kernel: 'lanczos3' })
    .jpeg({ quality: 90 })
    .toBuffer();
  return new Uint8Array(out);
}

const now = (): number => performance.now();
const load = (): string =>
  loadavg()
    .map((v) => v.toFixed(1))
    .join(' / ');

/** Interleave ours (one analyzer) with face-api on every photo of a class, then the pool on the
 * same photos. */
async function runClass(
  mp: number,
  sources: readonly { bytes: Uint8Array; annotated: number }[],
  ours: Awaited<ReturnType<typeof createRunner>>,
  faceapi: Awaited<ReturnType<typeof createRunner>>,
  pool: Awaited<ReturnType<typeof createAnalyzerPool>>,
): Promise<PhoneClassResult> {
  const photos = await Promise.all(sources.map((s) => reencode(s.bytes, mp)));
  const o = { faces: 0, wallMs: 0, stageMs: {} as Record<string, number> };
  const f = { faces: 0, wallMs: 0 };
  for (const [i, bytes] of photos.entries()) {
    const order = i % 2 === 0 ? (['ours', 'faceapi'] as const) : (['faceapi', 'ours'] as const);
    for (const who of order) {
      const t0 = now();
      const r = await (who === 'ours' ? ours : faceapi).run(bytes, false);
      const ms = now() - t0;
      const acc = who === 'ours' ? o : f;
      acc.wallMs += ms;
      acc.faces += r.faces.length;
      if (who === 'ours') for (const [k, v] of Object.entries(r.stageMs)) o.stageMs[k] = (o.stageMs[k] ?? 0) + v;
    }
  }
  const t0 = now();
  const pooled = await Promise.all(photos.map((b) => pool.analyze(b)));
  const p = { faces: pooled.reduce((s, x) => s + x.faces.length, 0), wallMs: now() - t0 };
  process.stderr.write(
    `  phone ${mp} MP: ours ${(o.wallMs / photos.length).toFixed(0)} ms/photo, pool ${(p.wallMs / photos.length).toFixed(0)}, face-api ${(f.wallMs / photos.length).toFixed(0)} (load ${load()})\n`,
  );
  return {
    megapixels: mp,
    photos: photos.length,
    annotatedFaces: sources.reduce((s, x) => s + x.annotated, 0),
    ours: o,
    pool: p,
    faceapi: f,
  };
}

/** Peak RSS of the whole CLI process (`rankface detect --json`) on one photo of `mp` megapixels. */
function cliPeakRss(file: string, mp: number): PhoneRssResult {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, join(repoRoot, 'bin', 'rankface.js'), 'detect', file, '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`rankface detect failed on ${mp} MP: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split('\n').pop());
  const parsed = JSON.parse(r.stdout) as unknown;
  const faces = countFaces(parsed);
  return { megapixels: mp, peakRssMb: kb / 1024, faces };
}

function countFaces(json: unknown): number {
  if (Array.isArray(json)) return json.reduce((s: number, x: unknown) => s + countFaces(x), 0);
  if (json && typeof json === 'object') {
    const faces = (json as { faces?: unknown }).faces;
    if (Array.isArray(faces)) return faces.length;
    return Object.values(json).reduce((s: number, x: unknown) => s + countFaces(x), 0);
  }
  return 0;
}

/** Photos used: the group photos (all, or the `limit` largest). */
function phoneSources(limit: number): { bytes: Uint8Array; annotated: number; file: string }[] {
  const ann = JSON.parse(readFileSync(dataPath('group', 'annotations.json'), 'utf8')) as Record<
    string,
    { faces?: number | unknown[]; faces_approx?: number; faces_labelled?: number }
  >;
  const count = (a: (typeof ann)[string]): number =>
    Array.isArray(a.faces)
      ? a.faces.length
      : typeof a.faces === 'number'
        ? a.faces
        : (a.faces_approx ?? a.faces_labelled ?? 0);
  const all = groupPhotos(Infinity).photos.map((p) => {
    const bytes = new Uint8Array(readFileSync(p.file));
    return { file: p.file, bytes, annotated: count(ann[p.file.split('/group/')[1]!] ?? {}) };
  });
  return all.sort((a, b) => b.bytes.byteLength - a.bytes.byteLength).slice(0, limit);
}

export async function runPhoneBench(limit: number): Promise<PhoneBenchResult> {
  const started = new Date().toISOString();
  const sources = phoneSources(limit);
  const ours = await createRunner('default');
  const faceapi = await createRunner('faceapi');
  const pool = await createAnalyzerPool(readEngineConfig({}), { size: 2 });
  // Warm-up: first inferences compile kernels and allocate.
  for (const s of sources.slice(0, 2)) {
    await ours.run(s.bytes, false);
    await faceapi.run(s.bytes, false);
    await Promise.all([pool.analyze(s.bytes), pool.analyze(s.bytes)]);
  }
  const classes: PhoneClassResult[] = [];
  try {
    for (const mp of PHONE_MEGAPIXELS) classes.push(await runClass(mp, sources, ours, faceapi, pool));
  } finally {
    await pool.close();
    await ours.dispose();
  }
  const dir = join(repoRoot, '.cache', 'bench-engine');
  mkdirSync(dir, { recursive: true });
  const rss: PhoneRssResult[] = [];
  for (const mp of [12, 48]) {
    const file = join(dir, `phone-${mp}mp.jpg`);
    writeFileSync(file, await reencode(sources[0]!.bytes, mp));
    rss.push(cliPeakRss(file, mp));
  }
  return { started, load: load(), classes, rss };
}

const f0 = (v: number): string => v.toFixed(0);
const f1 = (v: number): string => v.toFixed(1);
const f2 = (v: number): string => v.toFixed(2);

export function phoneTables(r: PhoneBenchResult): string {
  const lines = [
    `| MP | photos | faces: ours / pool / face-api (annotated) | ${STAGES.join(' ms | ')} ms | ours ms/photo | ours photos/s | pool ms/photo | pool photos/s | face-api ms/photo | face-api photos/s | ours × face-api | pool × face-api |`,
    `|---|---|---|${STAGES.map(() => '---|').join('')}---|---|---|---|---|---|---|---|`,
  ];
  for (const c of r.classes) {
    const rate = (ms: number): number => c.photos / (ms / 1000);
    const stages = STAGES.map((s) => f1((c.ours.stageMs[s] ?? 0) / c.photos));
    lines.push(
      `| ${c.megapixels} | ${c.photos} | ${c.ours.faces} / ${c.pool.faces} / ${c.faceapi.faces} (${c.annotatedFaces}) | ${stages.join(' | ')} | ${f0(c.ours.wallMs / c.photos)} | ${f2(rate(c.ours.wallMs))} | ${f0(c.pool.wallMs / c.photos)} | ${f2(rate(c.pool.wallMs))} | ${f0(c.faceapi.wallMs / c.photos)} | ${f2(rate(c.faceapi.wallMs))} | ${f1(c.faceapi.wallMs / c.ours.wallMs)}× | ${f1(c.faceapi.wallMs / c.pool.wallMs)}× |`,
    );
  }
  const rssLines = [
    '| photo | faces | peak RSS of `rankface detect --json` (MB) |',
    '|---|---|---|',
    ...r.rss.map((x) => `| ${x.megapixels} MP JPEG | ${x.faces} | ${f0(x.peakRssMb)} |`),
  ];
  return [lines.join('\n'), '', rssLines.join('\n')].join('\n');
}

/** The docs section, between markers so that a later `--phone` run replaces it. */
export function phoneSection(r: PhoneBenchResult, tables: string, started: Date): string {
  return `<!-- phone-photos:start -->
## Phone photos (\`npm run bench:engine -- --phone\`, run started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)

The ${r.classes[0]?.photos ?? 0} largest group photos of \`../shared/data/group\`, re-encoded by the benchmark as JPEG
(quality 90, aspect kept) at each size. "ours": one analyzer, ONNX Runtime 2 intra-op threads;
"pool": the worker pool, 2 workers x 1 thread, all photos of the class submitted at once; face-api:
its own pipeline on the full decoded photo (tfjs-wasm, single-threaded). Ours and face-api are
interleaved photo by photo. Stage columns are ours (one analyzer), ms per photo. Load average
(1/5/15 min) at the end of the run: ${r.load} on 2 cores (the machine is shared: compare ratios).

${tables}
<!-- phone-photos:end -->`;
}
