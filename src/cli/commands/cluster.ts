import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { FsPhotoSource } from '#adapters/local/fs-photo-source.ts';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { RankfaceError } from '#core/errors.ts';
import { systemClock } from '#core/ports/clock.ts';
import type { PhotoRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { assignNewFaces } from '#core/pipeline/assign-new-faces.ts';
import { churnOf, type ChurnReport } from '#core/pipeline/churn.ts';
import { clusterUser, defaultClusterer, type StoreDeps } from '#core/pipeline/index.ts';
import { syncLibrary, type LibrarySyncResult, type PooledAnalyzer } from '#core/pipeline/library-sync.ts';
import { planEmbedderMigration, reembedPhotos, type EmbedderKey } from '#core/pipeline/migrate-embedder.ts';
import type { EngineConfig } from '#core/vision/engine-config.ts';
import { DEFAULT_LANDMARKS } from '#core/vision/registry.ts';
import { Progress } from '#cli/progress.ts';
import { forgetLastRun, fingerprintOf, outputsFingerprint, readLastRun, writeLastRun } from '#cli/report/last-run.ts';
import type { DuplicateFile, PeopleReport, SkippedFile } from '#cli/report/model.ts';
import {
  claimOutFolder,
  lockOutFolder,
  OUTPUT_MARKER,
  writeOutputMarker,
  type OutputMarker,
} from '#cli/report/out-folder.ts';
import { writeReport } from '#cli/report/write.ts';

/** `rankface cluster <photos-dir> [--out dir] [--json]`: the embedded default. Syncs the store with
 * a folder (the core library-sync use-case: new or changed photos analysed in a worker pool),
 * keeps everything in `<out>/rankface.db` (SQLite) and `<out>/blobs/`, clusters the faces into
 * people with stable ids, and writes `<out>/people.json` and `<out>/index.html`. The `--json`
 * summary keys are read by other tools.
 *
 * Exit status: 0 when the run completed, also when some files were skipped (they are listed in
 * the summary and the report); 1 with `--strict` when any file was skipped; 2 when nothing was
 * done: bad arguments, an output folder that is not rankface's, a locked output folder, an
 * unreadable photos folder, damaged models, or removals that need `--prune`. */

/** The local CLI has a single user. */
export const LOCAL_USER = 'local';

export interface ClusterSummary {
  photos: number;
  faces: number;
  people: number;
  unassigned: number;
  /** Faces below the quality gate (people.json `gated`). */
  gated: number;
  skipped: SkippedFile[];
  seconds: number;
  new_photos: number;
  reused_photos: number;
  removed_photos: number;
  renamed_photos: number;
  duplicates: DuplicateFile[];
  photos_with_faces: number;
  out: string;
  report: string;
  people_json: string;
  engine: { detector: string; embedder: string; workers: number };
  /** What this run changed in people (docs/people.md); confirmed_changed is always 0. */
  churn: ChurnReport;
  /** Faces of this run's new photos that joined a known person right after analysis, before
   * clustering (incremental assignment, docs/people.md); the clustering run then decides again. */
  joined_known_people: number;
  /** Faces given a vector of the active embedder from their stored crops (no re-detection: face
   * ids and edits stay) because the embedder changed since they were analysed: the model upgrade
   * (docs/people.md). 0 when the embedder is the one they were analysed with. */
  reembedded_faces: number;
  /** Seconds per stage. */
  timings: { scan: number; analyse: number; cluster: number; report: number };
}

interface Args {
  photosDir: string;
  outDir: string;
  json: boolean;
  workers?: number;
  rehash: boolean;
  prune: boolean;
  strict: boolean;
}

function usage(): string {
  return [
    'usage: rankface cluster <photos-dir> [--out <dir>] [--json] [--workers <n>] [--rehash] [--prune] [--strict]',
    '',
    '  Groups the faces in a folder of photos (searched recursively) into people.',
    '  --out <dir>    where the database, thumbnails and report go (default ./rankface-out);',
    '                 must be new, empty, or made by rankface',
    '  --json         print a JSON summary on stdout',
    '  --workers <n>  analyser threads (default: number of cores)',
    '  --rehash       read every file again (finds changes that kept size and time)',
    '  --prune        allow a run to remove most of the analysed photos (folder emptied or changed)',
    '  --strict       exit 1 when any file was skipped (default: 0, skipped files are listed)',
    '  Re-runs only analyse new or changed photos.',
  ].join('\n');
}

const FLAGS = { '--json': 'json', '--rehash': 'rehash', '--prune': 'prune', '--strict': 'strict' } as const;

function parseArgs(args: string[]): Args | string {
  let photosDir: string | undefined;
  let outDir = 'rankface-out';
  const flags = { json: false, rehash: false, prune: false, strict: false };
  let workers: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a in FLAGS) flags[FLAGS[a as keyof typeof FLAGS]] = true;
    else if (a === '--out' || a === '-o') {
      const v = args[++i];
      if (!v) return '--out needs a folder';
      outDir = v;
    } else if (a.startsWith('--out=')) outDir = a.slice('--out='.length);
    else if (a === '--workers') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1) return '--workers needs a positive integer';
      workers = n;
    } else if (a.startsWith('-')) return `unknown option '${a}'`;
    else if (photosDir === undefined) photosDir = a;
    else return `unexpected argument '${a}'`;
  }
  if (!photosDir) return 'missing <photos-dir>';
  return { photosDir: resolve(photosDir), outDir: resolve(outDir), ...flags, ...(workers ? { workers } : {}) };
}

async function openPool(config: EngineConfig, args: Args): Promise<PooledAnalyzer> {
  // Loaded only when there is work: a re-run of an unchanged folder never pays for it.
  // Checked here too, so a damaged model is one line before any worker starts.
  const { verifyModelFiles } = await import('#core/vision/model-info.ts');
  await verifyModelFiles(config.modelsDir, [config.detector, DEFAULT_LANDMARKS, config.embedder]);
  const { createAnalyzerPool } = await import('#core/vision/pool.ts');
  return createAnalyzerPool(config, args.workers ? { size: args.workers } : {});
}

/** A model upgrade: faces analysed with another embedder (id or weights) get a vector of the active
 * one from their stored crops, before the sync, which would otherwise analyse their photos again. */
async function migrateEmbedder(
  args: Args,
  config: EngineConfig,
  active: EmbedderKey,
  deps: StoreDeps,
  say: (line: string) => void,
): Promise<number> {
  const plan = await planEmbedderMigration(LOCAL_USER, active, deps);
  if (plan.photoIds.length === 0) return 0;
  say(
    `rankface: ${plan.faces - plan.current} faces of ${plan.photoIds.length} photos to embed again with ${active.modelId} (model changed; from the stored crops)`,
  );
  const pool = await openPool(config, args);
  try {
    return (await reembedPhotos(LOCAL_USER, plan, { ...deps, analyzer: pool })).reembedded;
  } finally {
    await pool.close();
  }
}

async function syncPhotos(
  args: Args,
  config: EngineConfig,
  active: EmbedderKey,
  deps: StoreDeps & { faces: SqliteFaceStore },
  previous: OutputMarker | undefined,
  say: (line: string) => void,
): Promise<{ sync: LibrarySyncResult; source: FsPhotoSource }> {
  const source = new FsPhotoSource(args.photosDir, {
    maxBytes: config.maxBytes,
    excludeFolders: [args.outDir],
    skipFoldersContaining: [OUTPUT_MARKER],
  });
  let progress: Progress | undefined;
  const sync = await syncLibrary(
    {
      userId: LOCAL_USER,
      embedderId: active.modelId,
      embedderVersion: active.modelVersion,
      rehash: args.rehash,
      prune: args.prune,
      sourceChanged: previous !== undefined && previous.photosDir !== args.photosDir,
    },
    {
      ...deps,
      source,
      stamps: deps.faces,
      openAnalyzer: () => openPool(config, args),
      progress: {
        start: (todo, unchanged) => {
          say(`rankface: ${todo} photo${todo === 1 ? '' : 's'} to analyse (${unchanged} unchanged)`);
          progress = new Progress({ label: 'analysing', total: todo });
        },
        tick: (file) => progress?.tick(file),
        finish: () => progress?.finish(),
      },
    },
  );
  return { sync, source };
}

function printSummary(summary: ClusterSummary, args: Args, say: (line: string) => void): void {
  if (args.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  say(
    `rankface: ${summary.photos} photos, ${summary.faces} faces → ${summary.people} people, ${summary.unassigned} unassigned, ${summary.gated} low quality` +
      (summary.skipped.length > 0 ? `, ${summary.skipped.length} skipped` : '') +
      ` (${summary.seconds.toFixed(1)} s)`,
  );
  say(`  new ${summary.new_photos} · unchanged ${summary.reused_photos} · removed ${summary.removed_photos}`);
  const c = summary.churn;
  say(
    `  churn: ${c.faces_changed} faces changed person (${c.confirmed_changed} confirmed) · people +${c.people_created} −${c.people_removed} · ${c.new_faces_joined_known} new faces joined known people` +
      ` (${summary.joined_known_people} at once, before clustering)`,
  );
  for (const s of summary.skipped.slice(0, 10)) say(`  skipped ${s.file}: ${s.code}: ${s.reason}`);
  if (summary.skipped.length > 10) say(`  … and ${summary.skipped.length - 10} more (see the report)`);
  say(`  report: ${summary.report}`);
}

/** Everything a run's people and report are made from, besides the photos' contents (the stamps
 * stand for them): the folder, engine settings, program build, edits, and the written outputs. */
async function runFingerprint(
  args: Args,
  config: EngineConfig,
  store: SqliteFaceStore,
  sync: LibrarySyncResult,
): Promise<string> {
  const [edits, faceEdits, aliases, outputs, program] = await Promise.all([
    store.listEdits(LOCAL_USER),
    store.listFaceEdits(LOCAL_USER),
    store.listAliases(LOCAL_USER),
    outputsFingerprint(args.outDir),
    // This module's file (the prebuilt bundle, or the source under tsx): a rebuilt program re-clusters.
    stat(fileURLToPath(import.meta.url)).then(
      (s) => s.mtimeMs,
      () => 0,
    ),
  ]);
  const stamps = [...sync.stamps].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return fingerprintOf({
    photosDir: args.photosDir,
    config,
    program,
    stamps,
    skipped: sync.skipped,
    duplicates: sync.duplicates,
    edits,
    faceEdits,
    aliases,
    outputs,
  });
}

/** A run that analysed nothing on an output whose inputs match the last completed run's. */
async function unchangedSince(
  args: Args,
  sync: LibrarySyncResult,
  reembedded: number,
  fingerprint: string,
): Promise<ClusterSummary | undefined> {
  if (args.rehash || reembedded > 0 || sync.engine !== undefined || sync.newPhotos + sync.removed + sync.renamed > 0)
    return undefined;
  const last = await readLastRun<ClusterSummary>(args.outDir);
  return last?.fingerprint === fingerprint ? last.summary : undefined;
}

const secondsSince = (t: number): number => Number(((performance.now() - t) / 1000).toFixed(3));

/** The summary of a no-change re-run: the last run's people and files, nothing new. */
function unchangedSummary(
  last: ClusterSummary,
  sync: LibrarySyncResult,
  config: EngineConfig,
  started: number,
): ClusterSummary {
  return {
    ...last,
    seconds: secondsSince(started),
    new_photos: 0,
    reused_photos: sync.reused,
    removed_photos: 0,
    renamed_photos: 0,
    engine: { detector: config.detector, embedder: config.embedder, workers: 0 },
    churn: churnOf([], [], new Set(), new Set()),
    joined_known_people: 0,
    reembedded_faces: 0,
    timings: { scan: sync.timings.scan, analyse: 0, cluster: 0, report: 0 },
  };
}

/** The embedder this run uses, with its model version (package version + content hash). */
async function activeEmbedder(config: EngineConfig): Promise<EmbedderKey> {
  const { readModelVersion } = await import('#core/vision/model-info.ts');
  return { modelId: config.embedder, modelVersion: await readModelVersion(config.modelsDir, config.embedder) };
}

/** Files the sync skipped plus photos that could not be decoded, with the reason. */
function skippedFiles(fromSync: readonly SkippedFile[], photos: readonly PhotoRecord[]): SkippedFile[] {
  const skipped: SkippedFile[] = [...fromSync];
  for (const p of photos)
    if (p.status === 'error')
      skipped.push({
        file: p.sourceKey,
        code: p.error?.code ?? 'internal',
        reason: p.error?.message ?? 'unknown error',
      });
  return skipped;
}

async function clusterAndReport(
  args: Args,
  config: EngineConfig,
  store: SqliteFaceStore,
  blobs: FsBlobStore,
  previous: OutputMarker | undefined,
  say: (line: string) => void,
): Promise<ClusterSummary> {
  const started = performance.now();
  const deps = { blobs, faces: store, clock: systemClock, logger: silentLogger };
  const photosBefore = new Set((await store.listPhotos(LOCAL_USER)).map((p) => p.photoId));
  const active = await activeEmbedder(config);
  const reembedded = await migrateEmbedder(args, config, active, deps, say);
  const { sync, source } = await syncPhotos(args, config, active, deps, previous, say);
  const unchanged = await unchangedSince(args, sync, reembedded, await runFingerprint(args, config, store, sync));
  if (unchanged) return unchangedSummary(unchanged, sync, config, started);
  await forgetLastRun(args.outDir);
  const modelId = sync.engine?.embedder ?? config.embedder;
  const engine = sync.engine ?? { detector: config.detector, embedder: config.embedder, workers: 0 };
  // Photos that could not be decoded are reported with the reason (kept, so they are not retried).
  const photos = await store.listPhotos(LOCAL_USER);
  const skipped = skippedFiles(sync.skipped, photos);

  const clusterStarted = performance.now();
  // New faces join known people first (the cloud's embed-stage rule), then the full run decides all.
  const calibration = calibrationFor(modelId);
  const newFaces = (await store.listFaces(LOCAL_USER)).filter((f) => !photosBefore.has(f.photoId));
  const assigned =
    calibration && newFaces.length > 0
      ? await assignNewFaces(LOCAL_USER, newFaces, { ...deps, calibration })
      : undefined;
  // People, with ids kept from the last run where the faces persist.
  const clustered = await clusterUser(LOCAL_USER, {
    faces: store,
    clock: systemClock,
    logger: silentLogger,
    cluster: defaultClusterer,
    modelId,
    modelVersion: active.modelVersion,
    calibration,
  });
  const reportStarted = performance.now();
  const duplicates = sync.duplicates.map((d) => ({ file: d.file, same_as: d.sameAs }));
  const r = await writeRunReport(args, store, blobs, source, {
    photos,
    skipped,
    duplicates,
    detector: engine.detector,
    modelId,
  });
  store.replaceFileStamps(LOCAL_USER, sync.stamps);
  await writeOutputMarker(args.outDir, args.photosDir);
  const summary: ClusterSummary = {
    photos: r.summary.photos,
    faces: r.summary.faces,
    people: r.summary.people,
    unassigned: r.summary.unassigned,
    gated: r.summary.gated,
    skipped: r.skipped.map((s) => ({ file: s.file, code: s.code, reason: s.reason })),
    seconds: secondsSince(started),
    new_photos: sync.newPhotos,
    reused_photos: sync.reused,
    removed_photos: sync.removed,
    renamed_photos: sync.renamed,
    duplicates,
    photos_with_faces: r.summary.photos_with_faces,
    out: args.outDir,
    report: join(args.outDir, 'index.html'),
    people_json: join(args.outDir, 'people.json'),
    engine,
    churn: clustered.churn,
    joined_known_people: assigned?.joined.size ?? 0,
    reembedded_faces: reembedded,
    timings: {
      scan: sync.timings.scan,
      analyse: sync.timings.analyse,
      cluster: Number(((reportStarted - clusterStarted) / 1000).toFixed(3)),
      report: secondsSince(reportStarted),
    },
  };
  await writeLastRun(args.outDir, { fingerprint: await runFingerprint(args, config, store, sync), summary });
  return summary;
}

interface RunReportInput {
  readonly photos: PhotoRecord[];
  readonly skipped: SkippedFile[];
  readonly duplicates: DuplicateFile[];
  readonly detector: string;
  readonly modelId: string;
}

/** people.json, index.html and the thumbnails, from the store after clustering. */
async function writeRunReport(
  args: Args,
  store: SqliteFaceStore,
  blobs: FsBlobStore,
  source: FsPhotoSource,
  input: RunReportInput,
): Promise<PeopleReport> {
  const { photos, skipped, duplicates, modelId } = input;
  const [faces, people, vectors] = await Promise.all([
    store.listFaces(LOCAL_USER),
    store.listPeople(LOCAL_USER),
    store.listVectors(LOCAL_USER, modelId),
  ]);
  const cropOf = new Map(faces.map((f) => [f.faceId, f.cropKey]));
  const written = await writeReport({
    outDir: args.outDir,
    photosDir: args.photosDir,
    generatedAt: new Date(),
    models: { detector: input.detector, embedder: modelId },
    photos,
    faces,
    people,
    skipped,
    duplicates,
    modelId,
    vectors: vectors.map((v) => ({ id: v.faceId, vector: v.vector })),
    readPhoto: (photo) => source.read(photo),
    readCrop: async (faceId) => {
      const key = cropOf.get(faceId);
      return key ? blobs.get(key) : undefined;
    },
  });
  return written.report;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`rankface cluster: ${args}\n${usage()}\n`);
    return 2;
  }
  const say = (line: string): void => {
    if (!args.json) process.stderr.write(`${line}\n`);
  };
  let release: (() => Promise<void>) | undefined;
  let store: SqliteFaceStore | undefined;
  try {
    const config = readEngineConfig();
    const previous = await claimOutFolder(args.outDir, args.photosDir);
    release = await lockOutFolder(args.outDir);
    store = new SqliteFaceStore(join(args.outDir, 'rankface.db'));
    const summary = await clusterAndReport(
      args,
      config,
      store,
      new FsBlobStore(join(args.outDir, 'blobs')),
      previous,
      say,
    );
    printSummary(summary, args, say);
    return args.strict && summary.skipped.length > 0 ? 1 : 0;
  } catch (err) {
    // Setup and safety refusals are one line with the fix; anything else is a bug: keep the stack.
    if (!(err instanceof RankfaceError)) throw err;
    process.stderr.write(`rankface cluster: ${err.message}\n`);
    return 2;
  } finally {
    store?.close();
    await release?.();
  }
}
