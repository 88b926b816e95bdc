import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFile } from '#adapters/local/fs-photo-source.ts';
import { fileErrorOf } from '#cli/file-error.ts';
import { readEngineConfig } from '#config/engine.ts';
import { clusterWithStats, type ClusterOptions } from '#core/cluster/index.ts';
import { clusteringMetrics, labelsFromResult, verificationMetrics } from '#core/metrics/index.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { createAnalyzerPool } from '#core/vision/pool.ts';
import type { AnalyzedFace } from '#core/vision/types.ts';

/** `rankface eval <labelled-dir> [--json]`: the default detect → embed → cluster pipeline on a
 * folder-per-identity set, scored against the folders. */

export interface LabelledFace {
  /** `<identity>/<file>`: unique, doubles as the photo id (one face per file). */
  readonly id: string;
  readonly identity: string;
  readonly vector: Float32Array;
  /** Engine quality score (the clusterer's gate reads it). */
  readonly quality?: number;
}

/** A file of the set that could not be analysed, with its typed code (as `rankface detect`'s). */
export interface FileError {
  /** `<identity>/<file>`. */
  readonly file: string;
  readonly code: string;
  readonly reason: string;
}

export interface LabelledSet {
  readonly images: number;
  readonly identities: number;
  readonly faces: LabelledFace[];
  /** Files that were read and decoded but hold no face. */
  readonly missed: string[];
  /** Files that could not be read or decoded (corrupt, not an image, too large...): never counted
   * as "no face", so a damaged set does not pass for a hard one. */
  readonly errors: FileError[];
  readonly modelId: string;
  readonly elapsedMs: number;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The face the file is about: the one whose box centre is nearest the image centre. */
function centralFace(faces: readonly AnalyzedFace[], width: number, height: number): AnalyzedFace | undefined {
  let best: AnalyzedFace | undefined;
  let bestD = Infinity;
  for (const f of faces) {
    const dx = f.box[0] + f.box[2] / 2 - width / 2;
    const dy = f.box[1] + f.box[3] / 2 - height / 2;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return best;
}

/** The files of `<dir>/<identity>/<file>`, in name order; hidden files (`.DS_Store`) are not photos. */
async function labelledFiles(
  dir: string,
): Promise<{ identities: string[]; files: { identity: string; name: string }[] }> {
  const identities = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort(byName);
  const files: { identity: string; name: string }[] = [];
  for (const identity of identities) {
    const names = (await readdir(join(dir, identity), { withFileTypes: true }))
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort(byName);
    for (const name of names) files.push({ identity, name });
  }
  return { identities, files };
}

type FileOutcome = { face: LabelledFace } | { noFace: true } | { error: FileError };

export interface EmbedLabelledOptions {
  /** Files larger than this are refused as `too-large` before a byte is read (RANKFACE_MAX_BYTES). */
  readonly maxBytes?: number;
}

/** Detect and embed one face per file of `<dir>/<identity>/<file>`; files analysed concurrently
 * (the analyzer may be a worker pool). A file that cannot be read or decoded is an error with its
 * typed code, kept apart from a photo where no face was found. */
export async function embedLabelledDir(
  dir: string,
  analyzer: FaceAnalyzer,
  options: EmbedLabelledOptions = {},
): Promise<LabelledSet> {
  const { identities, files } = await labelledFiles(dir);
  const maxBytes = options.maxBytes ?? readEngineConfig().maxBytes;
  const t0 = performance.now();
  const outcomes: FileOutcome[] = new Array(files.length);
  const analyzeOne = async ({ identity, name }: { identity: string; name: string }): Promise<FileOutcome> => {
    const id = `${identity}/${name}`;
    try {
      // Regular files only, size checked from the open handle before reading.
      const photo = await analyzer.analyze(await readRegularFile(join(dir, identity, name), maxBytes));
      const face = centralFace(photo.faces, photo.width, photo.height);
      if (!face?.embedding) return { noFace: true };
      const quality = face.quality.score;
      return { face: { id, identity, vector: face.embedding.vector, ...(quality === undefined ? {} : { quality }) } };
    } catch (err) {
      const { code, message } = fileErrorOf(err);
      return { error: { file: id, code, reason: message } };
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      outcomes[i] = await analyzeOne(files[i]!);
    }
  };
  await Promise.all(Array.from({ length: 4 }, () => worker()));
  const faces = outcomes.flatMap((o) => ('face' in o ? [o.face] : []));
  const missed = files.filter((_, i) => 'noFace' in outcomes[i]!).map((f) => `${f.identity}/${f.name}`);
  const errors = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
  return {
    images: files.length,
    identities: identities.length,
    faces,
    missed,
    errors,
    modelId: analyzer.embedderId,
    elapsedMs: performance.now() - t0,
  };
}

export interface EvalReport {
  images: number;
  identities: number;
  faces: number;
  /** Images read and decoded where no face was found. */
  missed_images: number;
  /** Images that could not be read or decoded (added; never counted in `missed_images`). */
  error_images: number;
  /** Each of them with its typed code (`corrupt`, `unsupported`, `empty`, `too-large`, ...). */
  errors: FileError[];
  verification: { auc: number; tar_at_far_1e3: number; threshold_at_far_1e3: number };
  clustering: {
    pairwise: { precision: number; recall: number; f: number };
    bcubed: { precision: number; recall: number; f: number };
    nmi: number;
    clusters: number;
    clusters_per_identity: number;
    singleton_rate: number;
    wrong_faces: number;
    same_photo_violations: number;
    unassigned: number;
    /** Faces below the quality gate (not clustered; singletons in every metric). */
    gated: number;
    merges_needed_per_100: number;
    algorithm: string;
  };
  timing: { ms_per_image: number; cluster_ms: number };
  model: string;
}

const r4 = (v: number): number => Number(v.toFixed(4));

/** Score the default pipeline on one labelled set: verification over all pairs of the found faces,
 * clustering with default options (each file is its own photo; unassigned faces count as singleton
 * clusters). */
export function scoreLabelledSet(set: LabelledSet, options: ClusterOptions = {}): EvalReport {
  const vectors = set.faces.map((f) => f.vector);
  const labels = set.faces.map((f) => f.identity);
  const v = verificationMetrics(vectors, labels, 1e-3);
  const t0 = performance.now();
  const run = clusterWithStats(
    set.faces.map((f) => ({
      id: f.id,
      photoId: f.id,
      vector: f.vector,
      modelId: set.modelId,
      ...(f.quality === undefined ? {} : { quality: f.quality }),
    })),
    options,
  );
  const clusterMs = performance.now() - t0;
  const ids = set.faces.map((f) => f.id);
  const m = clusteringMetrics(labels, labelsFromResult(ids, run.result), ids);
  return {
    images: set.images,
    identities: set.identities,
    faces: set.faces.length,
    missed_images: set.missed.length,
    error_images: set.errors.length,
    errors: set.errors,
    verification: { auc: r4(v.auc), tar_at_far_1e3: r4(v.tar_at_far), threshold_at_far_1e3: r4(v.threshold) },
    clustering: {
      pairwise: { precision: r4(m.pairwise.precision), recall: r4(m.pairwise.recall), f: r4(m.pairwise.f) },
      bcubed: { precision: r4(m.bcubed.precision), recall: r4(m.bcubed.recall), f: r4(m.bcubed.f) },
      nmi: r4(m.nmi),
      clusters: m.clusters,
      clusters_per_identity: r4(m.clusters_per_identity),
      singleton_rate: r4(m.singleton_rate),
      wrong_faces: m.wrong_faces,
      same_photo_violations: m.same_photo_violations,
      unassigned: run.result.unassigned.length,
      gated: run.result.gated?.length ?? 0,
      merges_needed_per_100: r4(m.merges_needed_per_100),
      algorithm: run.algorithm,
    },
    timing: {
      ms_per_image: Number((set.elapsedMs / Math.max(1, set.images)).toFixed(1)),
      cluster_ms: Math.round(clusterMs),
    },
    model: set.modelId,
  };
}

function printReport(dir: string, r: EvalReport): void {
  const c = r.clustering;
  const lines = [
    `${dir}: ${r.images} images, ${r.identities} identities, ${r.faces} faces, ${r.missed_images} images without a face, ${r.error_images} unreadable`,
    ...r.errors.map((e) => `  ${e.file}: error ${e.code}: ${e.reason}`),
    `verification (${r.model}): ROC AUC ${r.verification.auc}, TAR@FAR=1e-3 ${r.verification.tar_at_far_1e3} (cosine > ${r.verification.threshold_at_far_1e3})`,
    `clustering (${c.algorithm}): ${c.clusters} people, ${c.unassigned} unassigned faces, ${c.gated} below the quality gate`,
    `  pairwise  P ${c.pairwise.precision}  R ${c.pairwise.recall}  F ${c.pairwise.f}`,
    `  BCubed    P ${c.bcubed.precision}  R ${c.bcubed.recall}  F ${c.bcubed.f}`,
    `  NMI ${c.nmi}, clusters per identity ${c.clusters_per_identity}, singleton rate ${c.singleton_rate}, wrong faces ${c.wrong_faces}, merges needed per 100 faces ${c.merges_needed_per_100}, same-photo violations ${c.same_photo_violations}`,
    `timing: ${r.timing.ms_per_image} ms per image (detect + embed), clustering ${r.timing.cluster_ms} ms`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const positional = args.filter((a) => !a.startsWith('--'));
  if (positional.length !== 1 || args.some((a) => a.startsWith('--') && a !== '--json')) {
    process.stderr.write('usage: rankface eval <labelled-dir> [--json]\n');
    return 2;
  }
  const dir = positional[0];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch {
    process.stderr.write(`rankface eval: '${dir}' is not a readable directory\n`);
    return 2;
  }
  const config = readEngineConfig();
  const pool = await createAnalyzerPool(config);
  let set: LabelledSet;
  try {
    set = await embedLabelledDir(dir, pool, { maxBytes: config.maxBytes });
  } finally {
    await pool.close();
  }
  const report = scoreLabelledSet(set);
  if (json) process.stdout.write(JSON.stringify(report) + '\n');
  else printReport(dir, report);
  return 0;
}
