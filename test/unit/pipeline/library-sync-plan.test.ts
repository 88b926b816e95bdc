import { describe, expect, it } from 'vitest';
import type { PhotoRecord } from '#core/ports/face-store.ts';
import type { SourceFile } from '#core/ports/photo-source.ts';
import {
  groupByContent,
  isAnalysed,
  photoIdOf,
  planAnalysis,
  planHashing,
  planRemovals,
  removalNeedsConsent,
} from '#core/pipeline/library-sync-plan.ts';
import { PERMANENT_ERRORS } from '#core/pipeline/library-sync.ts';

/** The library sync's planning step, one rule per test: pure functions over scans and records. */

const file = (rel: string, size = 100, mtimeMs = 1): SourceFile => ({ rel, size, mtimeMs });
const hashOf = (c: string): string => c.repeat(64).slice(0, 64);
const photo = (content: string, sourceKey: string, extra: Partial<PhotoRecord> = {}): PhotoRecord => ({
  userId: 'u',
  photoId: photoIdOf(hashOf(content)),
  sourceKey,
  contentHash: hashOf(content),
  status: 'embedded',
  faceCount: 1,
  width: 10,
  height: 10,
  updatedAt: 0,
  ...extra,
});
const byId = (...photos: PhotoRecord[]): Map<string, PhotoRecord> => new Map(photos.map((p) => [p.photoId, p]));

describe('library sync plan', () => {
  it('reads only files whose size or mtime changed, and every file with rehash', () => {
    const stamps = [
      { path: 'a.jpg', size: 100, mtimeMs: 1, contentHash: hashOf('a') },
      { path: 'b.jpg', size: 100, mtimeMs: 1, contentHash: hashOf('b') },
    ];
    const files = [file('a.jpg'), file('b.jpg', 100, 2), file('c.jpg')];
    const plan = planHashing(files, stamps, false);
    expect(plan.known.map((k) => [k.file.rel, k.hash])).toEqual([['a.jpg', hashOf('a')]]);
    expect(plan.toRead.map((f) => f.rel)).toEqual(['b.jpg', 'c.jpg']);
    expect(planHashing(files, stamps, true).toRead.map((f) => f.rel)).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
  });

  it('keeps one photo per content, the stored copy first, and lists the others as duplicates', () => {
    const hashed = [
      { file: file('x/copy.jpg'), hash: hashOf('a') },
      { file: file('y/orig.jpg'), hash: hashOf('a') },
      { file: file('z.jpg'), hash: hashOf('b') },
    ];
    const { byPhotoId, duplicates } = groupByContent(hashed, byId(photo('a', 'y/orig.jpg')));
    expect(byPhotoId.get(photoIdOf(hashOf('a')))!.file.rel).toBe('y/orig.jpg');
    expect(duplicates).toEqual([{ file: 'x/copy.jpg', sameAs: 'y/orig.jpg' }]);
    expect(byPhotoId.size).toBe(2);
  });

  it('removes stored photos whose content is gone, but not those under an unreadable folder or file', () => {
    const stored = byId(photo('a', 'a.jpg'), photo('b', 'locked/b.jpg'), photo('c', 'c.jpg'), photo('d', 'd.jpg'));
    const present = new Set([photoIdOf(hashOf('a'))]);
    const removals = planRemovals(stored, present, { folders: ['locked'], files: new Set(['c.jpg']) });
    expect(removals).toEqual([photoIdOf(hashOf('d'))]);
  });

  it('retries incomplete analyses and transient errors, not permanent decode errors', () => {
    expect(isAnalysed(undefined, 0, PERMANENT_ERRORS)).toBe(false);
    expect(isAnalysed(photo('a', 'a.jpg', { faceCount: 2 }), 1, PERMANENT_ERRORS)).toBe(false);
    expect(isAnalysed(photo('a', 'a.jpg', { faceCount: 2 }), 2, PERMANENT_ERRORS)).toBe(true);
    expect(
      isAnalysed(
        photo('a', 'a.jpg', { status: 'error', error: { code: 'corrupt', message: 'x' } }),
        0,
        PERMANENT_ERRORS,
      ),
    ).toBe(true);
    expect(
      isAnalysed(
        photo('a', 'a.jpg', { status: 'error', error: { code: 'internal', message: 'x' } }),
        0,
        PERMANENT_ERRORS,
      ),
    ).toBe(false);
    expect([...PERMANENT_ERRORS].sort()).toEqual(['corrupt', 'empty', 'too-large', 'unsupported']);
  });

  it('follows a moved photo as a rename, not a new analysis', () => {
    const stored = byId(photo('a', 'old/a.jpg'), photo('b', 'b.jpg'));
    const byPhotoId = new Map([
      [photoIdOf(hashOf('a')), { file: file('new/a.jpg'), hash: hashOf('a') }],
      [photoIdOf(hashOf('b')), { file: file('b.jpg'), hash: hashOf('b') }],
      [photoIdOf(hashOf('c')), { file: file('c.jpg'), hash: hashOf('c') }],
    ]);
    const vectors = new Map([
      [photoIdOf(hashOf('a')), 1],
      [photoIdOf(hashOf('b')), 1],
    ]);
    const plan = planAnalysis(byPhotoId, stored, vectors, PERMANENT_ERRORS);
    expect(plan.todo.map((t) => t.file.rel)).toEqual(['c.jpg']);
    expect(plan.reused).toBe(2);
    expect(plan.renames.map((r) => [r.photo.sourceKey, r.rel])).toEqual([['old/a.jpg', 'new/a.jpg']]);
  });

  it('asks for consent before removing everything, most of the library, or anything of another folder', () => {
    expect(removalNeedsConsent({ stored: 10, removals: 0, sourceChanged: true })).toBeUndefined();
    expect(removalNeedsConsent({ stored: 10, removals: 1, sourceChanged: false })).toBeUndefined();
    expect(removalNeedsConsent({ stored: 10, removals: 5, sourceChanged: false })).toBeUndefined();
    expect(removalNeedsConsent({ stored: 10, removals: 6, sourceChanged: false })).toMatch(/6 of the 10/);
    expect(removalNeedsConsent({ stored: 3, removals: 3, sourceChanged: false })).toMatch(/every one of the 3/);
    expect(removalNeedsConsent({ stored: 10, removals: 1, sourceChanged: true })).toMatch(/not the photos folder/);
  });
});
