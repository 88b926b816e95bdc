import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { runCluster } from './cluster-helpers.ts';

/** Issue 13, item 10: a photo whose name is not UTF-8 is found and analysed (it used to be
 * reported missing), and `--rehash` sees a change that kept the file's size and mtime. */
describeWithData('rankface cluster with non-UTF-8 names and --rehash', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-rehash-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('analyses a Latin-1 file name and re-reads unchanged stamps only with --rehash', async () => {
    const photos = join(root, 'photos');
    const out = join(root, 'out');
    mkdirSync(photos);
    const latin1 = Buffer.concat([Buffer.from(photos), Buffer.from('/caf'), Buffer.from([0xe9]), Buffer.from('.jpg')]);
    copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), latin1);
    // A JPEG with 16 bytes after its end marker (ignored by decoders): its content can change
    // without changing its size.
    const jpeg = readFileSync(dataPath('group', 'bbt', 'bbt3.jpg'));
    const edited = join(photos, 'edited.jpg');
    writeFileSync(edited, Buffer.concat([jpeg, Buffer.alloc(16, 0x20)]));
    const stamp = 1_700_000_000; // whole seconds: restored exactly after the edit
    utimesSync(edited, stamp, stamp);

    const first = await runCluster(photos, out);
    expect(first.summary.photos).toBe(2);
    expect(first.summary.skipped).toEqual([]);
    expect(first.summary.faces).toBeGreaterThanOrEqual(10);

    writeFileSync(edited, Buffer.concat([jpeg, Buffer.alloc(16, 0x21)]));
    utimesSync(edited, stamp, stamp);
    expect(statSync(edited).mtimeMs).toBe(stamp * 1000);
    const unseen = await runCluster(photos, out);
    expect(unseen.summary).toMatchObject({ new_photos: 0, removed_photos: 0, photos: 2 });
    const rehashed = await runCluster(photos, out, ['--rehash']);
    expect(rehashed.summary).toMatchObject({ new_photos: 1, removed_photos: 1, photos: 2 });
  });
});
