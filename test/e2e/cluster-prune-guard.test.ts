import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { runCluster, runClusterExit } from './cluster-helpers.ts';

/** Issue 13, item 6: the analysis is never thrown away by mistake. An emptied or unmounted photos
 * folder, or a second folder run into the same output, used to remove every stored photo with
 * exit 0. Now such a run changes nothing and asks for `--prune`; a missing folder is an error. */
describeWithData('rankface cluster keeps the analysis when the folder looks wrong', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-prune-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses to remove most of the library without --prune, and removes it with --prune', async () => {
    const photos = join(root, 'photos');
    const out = join(root, 'out');
    mkdirSync(photos);
    for (const f of ['bbt3.jpg', 'bbt4.jpg']) copyFileSync(dataPath('group', 'bbt', f), join(photos, f));
    const first = await runCluster(photos, out);
    expect(first.summary.photos).toBe(2);
    const people = readFileSync(join(out, 'people.json'), 'utf8');

    const empty = join(root, 'mnt-drive');
    mkdirSync(empty); // an unmounted drive's mount point: an empty folder
    for (const folder of [empty, photos]) {
      if (folder === photos) for (const f of ['bbt3.jpg', 'bbt4.jpg']) rmSync(join(photos, f));
      const run = await runClusterExit(folder, out);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--prune');
      expect(readFileSync(join(out, 'people.json'), 'utf8')).toBe(people);
    }
    const missing = await runClusterExit(join(root, 'no-such-folder'), out);
    expect(missing.code).toBe(2);
    expect(readFileSync(join(out, 'people.json'), 'utf8')).toBe(people);

    const pruned = await runCluster(photos, out, ['--prune']);
    expect(pruned.summary).toMatchObject({ photos: 0, removed_photos: 2 });
  });
});
