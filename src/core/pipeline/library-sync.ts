import { RankfaceError } from '#core/errors.ts';
import type { PhotoRecord } from '#core/ports/face-store.ts';
import {
  PhotoSourceError,
  type FileStamp,
  type FileStampStore,
  type PhotoSource,
  type SkippedSourceFile,
  type SourceFile,
} from '#core/ports/photo-source.ts';
import { IMAGE_DECODE_ERROR_CODES } from '#core/vision/decode.ts';
import type { PhotoAnalyzer, StoreDeps } from './deps.ts';
import { processPhoto } from './detect-photo.ts';
import { sha256Hex } from './keys.ts';
import {
  groupByContent,
  planAnalysis,
  planHashing,
  planRemovals,
  removalNeedsConsent,
  stampOf,
  type DuplicateOf,
  type HashedFile,
} from './library-sync-plan.ts';
import { removePhoto } from './remove-photo.ts';

/** Library sync: bring the store in line with a photo source. Scan, hash what changed, one photo
 * per content, remove what is gone (with consent when it is most of the library), follow renames,
 * analyse what is new. The rules are in library-sync-plan.ts; this module does the I/O. */

/** Recorded errors that the same bytes always give again: such photos are not retried. */
export const PERMANENT_ERRORS: ReadonlySet<string> = new Set<string>(IMAGE_DECODE_ERROR_CODES);

/** The analyzer the sync starts only when there is something to analyse. */
export interface PooledAnalyzer extends PhotoAnalyzer {
  readonly detectorId: string;
  readonly size: number;
  close(): Promise<void>;
}

export interface LibrarySyncDeps extends StoreDeps {
  readonly source: PhotoSource;
  readonly stamps: FileStampStore;
  readonly openAnalyzer: () => Promise<PooledAnalyzer>;
  readonly progress?: {
    start(todo: number, unchanged: number): void;
    tick(file: string): void;
    finish(): void;
  };
}

export interface LibrarySyncOptions {
  readonly userId: string;
  /** The embedder whose vectors count as a finished analysis. */
  readonly embedderId: string;
  /** Its version with its content hash (readModelVersion): vectors another version made (other
   * weights under the same id) do not count, the photo is analysed again. */
  readonly embedderVersion?: string;
  /** Read every file again, even when its size and mtime did not change. */
  readonly rehash?: boolean;
  /** Go ahead with removals that need consent (see removalNeedsConsent). */
  readonly prune?: boolean;
  /** The source is not the one the store was built from. */
  readonly sourceChanged?: boolean;
}

export interface LibrarySyncResult {
  readonly skipped: SkippedSourceFile[];
  readonly duplicates: DuplicateOf[];
  readonly newPhotos: number;
  readonly reused: number;
  readonly removed: number;
  readonly renamed: number;
  /** Set when the analyzer was started. */
  readonly engine?: { detector: string; embedder: string; workers: number };
  readonly stamps: FileStamp[];
  /** Seconds spent scanning and planning, and analysing. */
  readonly timings: { scan: number; analyse: number };
}

/** Removing most of the library needs `--prune`: nothing was changed. */
export class PruneNeededError extends RankfaceError {
  constructor(reason: string) {
    super(
      'prune-needed',
      `${reason}; nothing was changed. Check the photos folder, or run again with --prune to remove them.`,
    );
  }
}

async function hashFiles(
  files: readonly SourceFile[],
  deps: LibrarySyncDeps,
  skipped: SkippedSourceFile[],
): Promise<{ hashed: HashedFile[]; unreadable: Set<string> }> {
  const hashed: HashedFile[] = [];
  const unreadable = new Set<string>();
  for (const file of files) {
    try {
      hashed.push({ file, hash: sha256Hex(await deps.source.read(file.rel)) });
    } catch (err) {
      if (!(err instanceof PhotoSourceError)) throw err;
      skipped.push({ file: file.rel, code: err.code, reason: err.message });
      if (err.code === 'unreadable') unreadable.add(file.rel);
    }
  }
  return { hashed, unreadable };
}

/** Run `work` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

async function analyse(
  todo: readonly { id: string; file: SourceFile }[],
  reused: number,
  userId: string,
  deps: LibrarySyncDeps,
  skipped: SkippedSourceFile[],
): Promise<LibrarySyncResult['engine']> {
  // Progress starts once the engine is up: a model that fails to load leaves no progress line.
  const pool = await deps.openAnalyzer();
  deps.progress?.start(todo.length, reused);
  try {
    await forEachLimited(todo, pool.size + 2, async ({ id, file }) => {
      let bytes: Uint8Array;
      try {
        bytes = await deps.source.read(file.rel);
      } catch (err) {
        if (!(err instanceof PhotoSourceError)) throw err;
        skipped.push({ file: file.rel, code: err.code, reason: err.message });
        deps.progress?.tick(file.rel);
        return;
      }
      await processPhoto({ userId, photoId: id, sourceKey: file.rel, bytes }, { ...deps, analyzer: pool });
      deps.progress?.tick(file.rel);
    });
  } finally {
    deps.progress?.finish();
    await pool.close();
  }
  return { detector: pool.detectorId, embedder: pool.embedderId, workers: pool.size };
}

async function vectorCounts(
  userId: string,
  options: LibrarySyncOptions,
  deps: StoreDeps,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const v of await deps.faces.listVectors(userId, options.embedderId)) {
    if (options.embedderVersion !== undefined && v.modelVersion !== options.embedderVersion) continue;
    counts.set(v.photoId, (counts.get(v.photoId) ?? 0) + 1);
  }
  return counts;
}

export async function syncLibrary(options: LibrarySyncOptions, deps: LibrarySyncDeps): Promise<LibrarySyncResult> {
  const started = performance.now();
  const { userId } = options;
  const scan = await deps.source.scan();
  const skipped: SkippedSourceFile[] = [...scan.skipped];
  const { known, toRead } = planHashing(scan.files, deps.stamps.listFileStamps(userId), options.rehash ?? false);
  const read = await hashFiles(toRead, deps, skipped);
  const hashed = [...known, ...read.hashed].sort((a, b) =>
    a.file.rel < b.file.rel ? -1 : a.file.rel > b.file.rel ? 1 : 0,
  );

  const stored = new Map<string, PhotoRecord>((await deps.faces.listPhotos(userId)).map((p) => [p.photoId, p]));
  const { byPhotoId, duplicates } = groupByContent(hashed, stored);
  const removals = planRemovals(stored, new Set(byPhotoId.keys()), {
    folders: scan.unreadableFolders,
    files: read.unreadable,
  });
  const refusal = options.prune
    ? undefined
    : removalNeedsConsent({
        stored: stored.size,
        removals: removals.length,
        sourceChanged: options.sourceChanged ?? false,
      });
  if (refusal) throw new PruneNeededError(refusal);

  for (const id of removals) await removePhoto(userId, id, deps);
  const plan = planAnalysis(byPhotoId, stored, await vectorCounts(userId, options, deps), PERMANENT_ERRORS);
  for (const { photo, rel } of plan.renames)
    await deps.faces.putPhoto({ ...photo, sourceKey: rel, updatedAt: deps.clock.now() });
  const scanned = performance.now();

  let engine: LibrarySyncResult['engine'];
  if (plan.todo.length > 0) engine = await analyse(plan.todo, plan.reused, userId, deps, skipped);
  return {
    skipped,
    duplicates,
    newPhotos: plan.todo.length,
    reused: plan.reused,
    removed: removals.length,
    renamed: plan.renames.length,
    ...(engine ? { engine } : {}),
    stamps: hashed.map(stampOf),
    timings: { scan: seconds(scanned - started), analyse: seconds(performance.now() - scanned) },
  };
}

const seconds = (ms: number): number => Number((ms / 1000).toFixed(3));
