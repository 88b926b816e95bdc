import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { runCluster, runClusterExit } from './cluster-helpers.ts';

/** Issue 13, item 1: `--out` never destroys user files. rankface writes only into a new, empty or
 * marked output folder, never deletes a file it did not write, and never analyses its own output. */

/** Every file under `dir` with its bytes, for before/after comparisons. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files.set(
        join(entry.parentPath, entry.name),
        readFileSync(join(entry.parentPath, entry.name)).toString('base64'),
      );
  }
  return files;
}

describeWithData('rankface cluster --out never destroys user files', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-out-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const photos = join(root, 'photos');
  mkdirSync(join(photos, 'thumbs'), { recursive: true });
  copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), join(photos, 'party.jpg'));
  // A user's own photo that happens to sit in a folder called `thumbs`.
  copyFileSync(
    dataPath('bbt', 'penny', readdirSync(dataPath('bbt', 'penny'))[0]!),
    join(photos, 'thumbs', 'penny.jpg'),
  );

  it('refuses the photos folder as --out, touching nothing', async () => {
    const before = snapshot(photos);
    const run = await runClusterExit(photos, photos);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('photos folder');
    expect(snapshot(photos)).toEqual(before);
  });

  it('refuses a folder that is not empty and not a rankface output, touching nothing', async () => {
    const other = join(root, 'documents');
    mkdirSync(join(other, 'thumbs'), { recursive: true });
    writeFileSync(join(other, 'index.html'), '<p>my home page</p>');
    writeFileSync(join(other, 'thumbs', 'holiday.jpg'), 'my thumbnail');
    const before = snapshot(other);
    const run = await runClusterExit(photos, other);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('not empty');
    expect(snapshot(other)).toEqual(before);
    rmSync(other, { recursive: true });
  });

  it('keeps files it did not write in its own output and never analyses its output', async () => {
    const out = join(photos, 'rankface-out');
    const first = await runCluster(photos, out);
    expect(first.summary.photos).toBe(2);
    writeFileSync(join(out, 'thumbs', 'mine.jpg'), 'a file the user put here');
    // The same output folder, now reached from a parent folder: still not scanned.
    const again = await runCluster(root, out);
    expect(again.summary.photos).toBe(2);
    expect(again.summary.new_photos).toBe(0);
    expect(readFileSync(join(out, 'thumbs', 'mine.jpg'), 'utf8')).toBe('a file the user put here');
    expect(readFileSync(join(photos, 'thumbs', 'penny.jpg')).byteLength).toBeGreaterThan(0);
  });
});
