import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { runCluster } from './cluster-helpers.ts';

/** Every folder under `dir` that holds nothing, and every stray `.tmp` file. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    const names = readdirSync(at);
    if (names.length === 0 && at !== dir) found.push(`${at}/ (empty)`);
    for (const name of names) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.tmp')) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Issue 13 item 10: runs leave no empty folders and no `.tmp` files in the output, also after a
 * photo (and so its face crops' folder) is removed from the library. */
describeWithData('rankface cluster leaves no empty folders', () => {
  let root = '';
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('after a first run and after a photo is removed', async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-leftovers-'));
    const photos = join(root, 'photos');
    mkdirSync(join(photos, 'trip'), { recursive: true });
    copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), join(photos, 'bbt4.jpg'));
    copyFileSync(dataPath('group', 'bbt', 'bbt3.jpg'), join(photos, 'trip', 'bbt3.jpg'));
    const out = join(root, 'out');
    const first = await runCluster(photos, out);
    expect(first.summary.photos).toBe(2);
    expect(leftovers(out)).toEqual([]);

    rmSync(join(photos, 'trip'), { recursive: true });
    const second = await runCluster(photos, out, ['--prune']);
    expect(second.summary.photos).toBe(1);
    expect(leftovers(out)).toEqual([]);
  });
});
