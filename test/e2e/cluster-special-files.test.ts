import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { runCluster } from './cluster-helpers.ts';

/** Issue 13, item 4: only regular files are read, with a size cap from `stat`. A FIFO named like
 * a photo used to hang the run for ever, a link to /dev/zero grew memory without end, and a huge
 * file was read whole before being refused. Now each is skipped with a typed code, and the good
 * photo beside them is analysed. */
describeWithData('rankface cluster with special and oversized files', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-special-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('skips FIFOs, device links and files over the size limit without reading them', async () => {
    const photos = join(root, 'photos');
    mkdirSync(photos);
    copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), join(photos, 'good.jpg'));
    execFileSync('mkfifo', [join(photos, 'pipe.jpg')]);
    symlinkSync('/dev/zero', join(photos, 'zero.jpg'));
    writeFileSync(join(photos, 'huge.jpg'), Buffer.alloc(3 * 1024 * 1024, 0xff));

    const { summary } = await runCluster(
      photos,
      join(root, 'out'),
      [],
      { RANKFACE_MAX_BYTES: String(2 * 1024 * 1024) },
      120_000,
    );
    const codes = Object.fromEntries(summary.skipped.map((s) => [s.file, s.code]));
    expect(codes).toEqual({ 'huge.jpg': 'too-large', 'pipe.jpg': 'not-a-file', 'zero.jpg': 'not-a-file' });
    expect(summary.photos).toBe(1);
    expect(summary.faces).toBeGreaterThanOrEqual(6);
  });
});
