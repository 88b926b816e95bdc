import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { SqliteFaceStore, type FileStamp } from '#adapters/local/sqlite-face-store.ts';
import { readEngineConfig } from '#config/engine.ts';
import { systemClock } from '#core/ports/clock.ts';
import type { PhotoRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { clusterUser, defaultClusterer, processPhoto, removePhoto, type StoreDeps } from '#core/pipeline/index.ts';
import { Progress } from '#cli/progress.ts';
import type { DuplicateFile, SkippedFile } from '#cli/report/model.ts';
import { claimOutFolder, OUTPUT_MARKER, OutFolderError, writeOutputMarker } from '#cli/report/out-folder.ts';
import { writeReport } from '#cli/report/write.ts';

/** `rankface cluster <photos-dir> [--out dir] [--json]`: the embedded default. Scans a folder,
 * analyses new or changed photos in a worker pool, keeps everything in `<out>/rankface.db`
 * (SQLite) and `<out>/blobs/`, clusters the faces into people with stable ids, and writes
 * `<out>/people.json` and `<out>/index.html`. The `--json` summary keys are read by other tools. */

/** The local CLI has a single user. */
export const LOCAL_USER = 'local';

const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'webp', 'avif', 'tif', 'tiff', 'gif', 'heic', 'heif']);
/** Decode errors that the same bytes will always give again: such photos are not retried. */
const PERMANENT_ERRORS = new Set(['empty', 'unsupported', 'corrupt', 'too-large']);

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
  /** Seconds per stage. */
  timings: { scan: number; analyse: number; cluster: number; report: number };
}

interface Args {
  photosDir: string;
  outDir: string;
  json: boolean;
  workers?: number;
}

function usage(): string {
  return [
    'usage: rankface cluster <photos-dir> [--out <dir>] [--json] [--workers <n>]',
    '',
    '  Groups the faces in a folder of photos (searched recursively) into people.',
    '  --out <dir>    where the database, thumbnails and report go (default ./rankface-out)',
    '  --json         print a JSON summary on stdout',
    '  --workers <n>  analyser threads (default: number of cores)',
    '  Re-runs only analyse new or changed photos.',
  ].join('\n');
}

function parseArgs(args: string[]): Args | string {
  let photosDir: string | undefined;
  let outDir = 'rankface-out';
  let json = false;
  let workers: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
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
  return { photosDir: resolve(photosDir), outDir: resolve(outDir), json, ...(workers ? { workers } : {}) };
}

interface ScannedFile {
  /** Relative to the photos folder, '/' separators. */
  readonly rel: string;
  readonly abs: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Every file under `root` (hidden files and folders, and the output folder, left out). */
async function scanFolder(root: string, exclude: string): Promise<{ images: ScannedFile[]; skipped: SkippedFile[] }> {
  const images: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ file: relative(root, dir).split(sep).join('/') || '.', code: 'unreadable', reason: `cannot list folder: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = join(dir, entry.name);
      if (abs === exclude) continue;
      const rel = relative(root, abs).split(sep).join('/');
      if (entry.isDirectory()) {
        // Never analyse rankface's own output (its thumbnails are faces too): any marked folder.
        if (await fileExistsAt(join(abs, OUTPUT_MARKER))) continue;
        await walk(abs);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const ext = entry.name.includes('.') ? entry.name.slice(entry.name.lastIndexOf('.') + 1).toLowerCase() : '';
      try {
        const st = await stat(abs);
        if (st.isDirectory()) continue; // a symlink to a folder: not followed (loops)
        if (!IMAGE_EXTENSIONS.has(ext)) {
          skipped.push({ file: rel, code: 'unsupported', reason: ext ? `not a photo type rankface reads (.${ext})` : 'no file extension' });
          continue;
        }
        images.push({ rel, abs, size: st.size, mtimeMs: st.mtimeMs });
      } catch (err) {
        skipped.push({ file: rel, code: 'unreadable', reason: (err as Error).message });
      }
    }
  };
  await walk(root);
  return { images, skipped };
}

async function fileExistsAt(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** Local photo ids: the first 128 bits of the content hash (the full hash is kept on the record). */
const photoIdOf = (contentHash: string): string => contentHash.slice(0, 32);

async function readBytes(file: string): Promise<Uint8Array> {
  const buf = await readFile(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Run `work` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    process.stderr.write(`rankface cluster: ${parsed}\n${usage()}\n`);
    return 2;
  }
  const args = parsed;
  const started = performance.now();
  try {
    if (!(await stat(args.photosDir)).isDirectory()) throw new Error('not a folder');
  } catch (err) {
    process.stderr.write(`rankface cluster: cannot read photos folder ${args.photosDir}: ${(err as Error).message}\n`);
    return 2;
  }
  const say = (line: string): void => {
    if (!args.json) process.stderr.write(`${line}\n`);
  };

  try {
    await claimOutFolder(args.outDir, args.photosDir);
  } catch (err) {
    if (!(err instanceof OutFolderError)) throw err;
    process.stderr.write(`rankface cluster: ${err.message}\n`);
    return 2;
  }
  const config = readEngineConfig();
  const store = new SqliteFaceStore(join(args.outDir, 'rankface.db'));
  const blobs = new FsBlobStore(join(args.outDir, 'blobs'));
  const deps: StoreDeps = { blobs, faces: store, clock: systemClock, logger: silentLogger };
  try {
    const marks: number[] = [performance.now()];
    const mark = (): number => {
      marks.push(performance.now());
      return Number(((marks.at(-1)! - marks.at(-2)!) / 1000).toFixed(3));
    };
    // 1. Scan and hash. Files whose size and mtime match the last scan keep their hash unread.
    const scan = await scanFolder(args.photosDir, args.outDir);
    const skipped: SkippedFile[] = [...scan.skipped];
    const stamps = new Map(store.listFileStamps(LOCAL_USER).map((s) => [s.path, s]));
    const newStamps: FileStamp[] = [];
    const hashed: { file: ScannedFile; hash: string }[] = [];
    for (const file of scan.images) {
      const old = stamps.get(file.rel);
      if (old && old.size === file.size && old.mtimeMs === file.mtimeMs) {
        hashed.push({ file, hash: old.contentHash });
        newStamps.push(old);
        continue;
      }
      try {
        const hash = sha256(await readBytes(file.abs));
        hashed.push({ file, hash });
        newStamps.push({ path: file.rel, size: file.size, mtimeMs: file.mtimeMs, contentHash: hash });
      } catch (err) {
        skipped.push({ file: file.rel, code: 'unreadable', reason: (err as Error).message });
      }
    }

    // 2. One photo per distinct content; later copies are reported as duplicates.
    //    The copy the store already knows keeps its place, so adding a copy is not a rename.
    const stored = new Map((await store.listPhotos(LOCAL_USER)).map((p) => [p.photoId, p]));
    const copies = new Map<string, { file: ScannedFile; hash: string }[]>();
    for (const h of hashed) {
      const id = photoIdOf(h.hash);
      copies.set(id, [...(copies.get(id) ?? []), h]);
    }
    const byPhotoId = new Map<string, { file: ScannedFile; hash: string }>();
    const duplicates: DuplicateFile[] = [];
    for (const [id, list] of copies) {
      const known = list.find((h) => h.file.rel === stored.get(id)?.sourceKey) ?? list[0]!;
      byPhotoId.set(id, known);
      for (const h of list) if (h !== known) duplicates.push({ file: h.file.rel, same_as: known.file.rel });
    }

    // 3. Photos gone from the folder (deleted, or changed: new content is a new photo) lose their faces.
    let removed = 0;
    for (const id of stored.keys()) {
      if (!byPhotoId.has(id)) {
        await removePhoto(LOCAL_USER, id, deps);
        removed++;
      }
    }

    // 4. Decide what to analyse: new photos, and photos whose analysis is missing or incomplete
    //    for the current embedder.
    const vectorsPerPhoto = new Map<string, number>();
    for (const v of await store.listVectors(LOCAL_USER, config.embedder)) vectorsPerPhoto.set(v.photoId, (vectorsPerPhoto.get(v.photoId) ?? 0) + 1);
    const isDone = (p: PhotoRecord | undefined): boolean =>
      p !== undefined &&
      ((p.status === 'embedded' && (vectorsPerPhoto.get(p.photoId) ?? 0) >= p.faceCount) ||
        (p.status === 'error' && p.error !== undefined && PERMANENT_ERRORS.has(p.error.code)));
    const todo: { id: string; file: ScannedFile }[] = [];
    let reused = 0;
    let renamed = 0;
    for (const [id, { file }] of byPhotoId) {
      const prev = stored.get(id);
      if (!isDone(prev)) {
        todo.push({ id, file });
        continue;
      }
      reused++;
      if (prev!.sourceKey !== file.rel) {
        // Moved or renamed: same content, same faces; only the path changes.
        await store.putPhoto({ ...prev!, sourceKey: file.rel, updatedAt: systemClock.now() });
        renamed++;
      }
    }

    const scanSeconds = mark();
    // 5. Analyse in the worker pool (the pool is not even started when nothing changed).
    let engine = { detector: config.detector, embedder: config.embedder, workers: 0 };
    let modelId = config.embedder;
    if (todo.length > 0) {
      say(`rankface: ${todo.length} photo${todo.length === 1 ? '' : 's'} to analyse (${reused} unchanged), starting the face engine…`);
      // Loaded only when there is work: a re-run of an unchanged folder never pays for it.
      const { createAnalyzerPool } = await import('#core/vision/pool.ts');
      const pool = await createAnalyzerPool(config, args.workers ? { size: args.workers } : {});
      engine = { detector: pool.detectorId, embedder: pool.embedderId, workers: pool.size };
      modelId = pool.embedderId;
      const progress = new Progress({ label: 'analysing', total: todo.length });
      try {
        await forEachLimited(todo, pool.size + 2, async ({ id, file }) => {
          let bytes: Uint8Array;
          try {
            bytes = await readBytes(file.abs);
          } catch (err) {
            skipped.push({ file: file.rel, code: 'unreadable', reason: (err as Error).message });
            progress.tick(file.rel);
            return;
          }
          await processPhoto({ userId: LOCAL_USER, photoId: id, sourceKey: file.rel, bytes }, { ...deps, analyzer: pool });
          progress.tick(file.rel);
        });
      } finally {
        progress.finish();
        await pool.close();
      }
    }

    // 6. Photos that could not be decoded are reported with the reason (kept, so they are not retried).
    const photos = await store.listPhotos(LOCAL_USER);
    for (const p of photos) {
      if (p.status === 'error') skipped.push({ file: p.sourceKey, code: p.error?.code ?? 'internal', reason: p.error?.message ?? 'unknown error' });
    }

    const analyseSeconds = mark();
    // 7. People, with ids kept from the last run where the faces persist.
    const clustered = await clusterUser(LOCAL_USER, { faces: store, clock: systemClock, logger: silentLogger, cluster: defaultClusterer, modelId });

    const clusterSeconds = mark();
    // 8. Report.
    const [faces, people, vectors] = await Promise.all([store.listFaces(LOCAL_USER), store.listPeople(LOCAL_USER), store.listVectors(LOCAL_USER, modelId)]);
    const cropOf = new Map(faces.map((f) => [f.faceId, f.cropKey]));
    const written = await writeReport({
      outDir: args.outDir,
      photosDir: args.photosDir,
      generatedAt: new Date(),
      models: { detector: engine.detector, embedder: modelId },
      photos,
      faces,
      people,
      skipped,
      duplicates,
      modelId,
      vectors: vectors.map((v) => ({ id: v.faceId, vector: v.vector })),
      readPhoto: (photo) => readBytes(join(args.photosDir, ...photo.split('/'))),
      readCrop: async (faceId) => {
        const key = cropOf.get(faceId);
        return key ? blobs.get(key) : undefined;
      },
    });
    store.replaceFileStamps(LOCAL_USER, newStamps);
    await writeOutputMarker(args.outDir, args.photosDir);
    const reportSeconds = mark();

    const r = written.report;
    const summary: ClusterSummary = {
      photos: r.summary.photos,
      faces: r.summary.faces,
      people: r.summary.people,
      unassigned: r.summary.unassigned,
      gated: r.summary.gated,
      skipped: r.skipped.map((s) => ({ file: s.file, code: s.code, reason: s.reason })),
      seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      new_photos: todo.length,
      reused_photos: reused,
      removed_photos: removed,
      renamed_photos: renamed,
      duplicates,
      photos_with_faces: r.summary.photos_with_faces,
      out: args.outDir,
      report: join(args.outDir, 'index.html'),
      people_json: join(args.outDir, 'people.json'),
      engine,
      timings: { scan: scanSeconds, analyse: analyseSeconds, cluster: clusterSeconds, report: reportSeconds },
    };
    void clustered;
    if (args.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      say(`rankface: ${summary.photos} photos, ${summary.faces} faces → ${summary.people} people, ${summary.unassigned} unassigned, ${summary.gated} low quality` +
        (summary.skipped.length > 0 ? `, ${summary.skipped.length} skipped` : '') + ` (${summary.seconds.toFixed(1)} s)`);
      say(`  new ${summary.new_photos} · unchanged ${summary.reused_photos} · removed ${summary.removed_photos}`);
      for (const s of summary.skipped.slice(0, 10)) say(`  skipped ${s.file}: ${s.code}: ${s.reason}`);
      if (summary.skipped.length > 10) say(`  … and ${summary.skipped.length - 10} more (see the report)`);
      say(`  report: ${summary.report}`);
    }
    return 0;
  } finally {
    store.close();
  }
}
