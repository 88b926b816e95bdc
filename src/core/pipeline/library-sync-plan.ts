import type { PhotoRecord } from '#core/ports/face-store.ts';
import type { FileStamp, SourceFile } from '#core/ports/photo-source.ts';

/** The pure rules of a library sync: which files must be read, which content is one photo, what
 * is new, renamed, gone, and whether removing it is safe. No I/O: every rule has a unit test. */

export interface HashedFile {
  readonly file: SourceFile;
  readonly hash: string;
}

export interface DuplicateOf {
  readonly file: string;
  readonly sameAs: string;
}

/** Local photo ids: the first 128 bits of the content hash (the full hash is kept on the record). */
export const photoIdOf = (contentHash: string): string => contentHash.slice(0, 32);

/** Files whose size and mtime match the last scan keep their hash unread, unless `rehash`
 * (a change that keeps both is otherwise never seen). */
export function planHashing(
  files: readonly SourceFile[],
  stamps: readonly FileStamp[],
  rehash: boolean,
): { known: HashedFile[]; toRead: SourceFile[] } {
  const byPath = new Map(stamps.map((s) => [s.path, s]));
  const known: HashedFile[] = [];
  const toRead: SourceFile[] = [];
  for (const file of files) {
    const old = byPath.get(file.rel);
    if (!rehash && old && old.size === file.size && old.mtimeMs === file.mtimeMs)
      known.push({ file, hash: old.contentHash });
    else toRead.push(file);
  }
  return { known, toRead };
}

export const stampOf = (h: HashedFile): FileStamp => ({
  path: h.file.rel,
  size: h.file.size,
  mtimeMs: h.file.mtimeMs,
  contentHash: h.hash,
});

/** One photo per distinct content; later copies are duplicates. The copy the store already knows
 * keeps its place, so adding a copy is not a rename. */
export function groupByContent(
  hashed: readonly HashedFile[],
  stored: ReadonlyMap<string, PhotoRecord>,
): { byPhotoId: Map<string, HashedFile>; duplicates: DuplicateOf[] } {
  const copies = new Map<string, HashedFile[]>();
  for (const h of hashed) {
    const id = photoIdOf(h.hash);
    copies.set(id, [...(copies.get(id) ?? []), h]);
  }
  const byPhotoId = new Map<string, HashedFile>();
  const duplicates: DuplicateOf[] = [];
  for (const [id, list] of copies) {
    const known = list.find((h) => h.file.rel === stored.get(id)?.sourceKey) ?? list[0]!;
    byPhotoId.set(id, known);
    for (const h of list) if (h !== known) duplicates.push({ file: h.file.rel, sameAs: known.file.rel });
  }
  return { byPhotoId, duplicates };
}

const isUnder = (rel: string, folder: string): boolean => folder === '.' || rel.startsWith(`${folder}/`);

/** Stored photos whose content is gone from the source. Photos under a folder that could not be
 * listed, or whose file could not be read this time, are kept: unreadable is not deleted. */
export function planRemovals(
  stored: ReadonlyMap<string, PhotoRecord>,
  present: ReadonlySet<string>,
  unreadable: { folders: readonly string[]; files: ReadonlySet<string> },
): string[] {
  const removals: string[] = [];
  for (const [id, photo] of stored) {
    if (present.has(id)) continue;
    if (unreadable.files.has(photo.sourceKey) || unreadable.folders.some((f) => isUnder(photo.sourceKey, f))) continue;
    removals.push(id);
  }
  return removals;
}

/** Whether the stored analysis of a photo is complete for the current embedder (or its error is
 * one the same bytes will always give again). */
export function isAnalysed(
  photo: PhotoRecord | undefined,
  vectorCount: number,
  permanentErrors: ReadonlySet<string>,
): boolean {
  if (photo === undefined) return false;
  if (photo.status === 'embedded') return vectorCount >= photo.faceCount;
  return photo.status === 'error' && photo.error !== undefined && permanentErrors.has(photo.error.code);
}

export interface AnalysisPlan {
  readonly todo: { id: string; file: SourceFile }[];
  readonly reused: number;
  /** Same content at a new path: only the record's path changes. */
  readonly renames: { photo: PhotoRecord; rel: string }[];
}

export function planAnalysis(
  byPhotoId: ReadonlyMap<string, HashedFile>,
  stored: ReadonlyMap<string, PhotoRecord>,
  vectorsPerPhoto: ReadonlyMap<string, number>,
  permanentErrors: ReadonlySet<string>,
): AnalysisPlan {
  const todo: { id: string; file: SourceFile }[] = [];
  const renames: { photo: PhotoRecord; rel: string }[] = [];
  let reused = 0;
  for (const [id, { file }] of byPhotoId) {
    const prev = stored.get(id);
    if (!isAnalysed(prev, vectorsPerPhoto.get(id) ?? 0, permanentErrors)) {
      todo.push({ id, file });
      continue;
    }
    reused++;
    if (prev!.sourceKey !== file.rel) renames.push({ photo: prev!, rel: file.rel });
  }
  return { todo, reused, renames };
}

/** Why a sync that would remove stored photos needs the user's go-ahead (`--prune`), or undefined
 * when it is safe: an empty or emptied source, most of the library at once, or a different
 * source than the one on record (a second folder run into the same output). */
export function removalNeedsConsent(input: {
  stored: number;
  removals: number;
  sourceChanged: boolean;
}): string | undefined {
  const { stored, removals, sourceChanged } = input;
  if (removals === 0) return undefined;
  if (sourceChanged)
    return `this is not the photos folder the output was made from, and ${removals} of its ${stored} analysed photos would be removed`;
  if (removals === stored)
    return `every one of the ${stored} analysed photos would be removed (is the folder empty or unmounted?)`;
  if (removals >= 2 && removals * 2 > stored) return `${removals} of the ${stored} analysed photos would be removed`;
  return undefined;
}
