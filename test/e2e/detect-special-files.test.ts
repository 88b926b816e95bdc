import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';

/** Issue 13, item 4 (detect): a FIFO or a link to /dev/zero given to `rankface detect` is a typed
 * per-file error; it used to hang or eat memory. The good photo beside it is still detected. */
describeWithData('rankface detect with special files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rankface-e2e-detect-special-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports not-a-file for a FIFO and a device link and detects the photo', async () => {
    const photo = join(dir, 'good.jpg');
    copyFileSync(dataPath('group', 'bbt', 'bbt4.jpg'), photo);
    execFileSync('mkfifo', [join(dir, 'pipe.jpg')]);
    symlinkSync('/dev/zero', join(dir, 'zero.jpg'));
    const run = await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'bin', 'rankface.js'), 'detect', photo, join(dir, 'pipe.jpg'), join(dir, 'zero.jpg'), '--json'],
      { cwd: repoRoot, timeout: 120_000 },
    ).catch((e: { stdout: string; code: number }) => e);
    const results = JSON.parse(run.stdout) as { file: string; faces: unknown[]; error?: { code: string } }[];
    expect(results.map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'not-a-file', 'not-a-file']);
    expect(results[0]!.faces.length).toBeGreaterThanOrEqual(6);
  });
});
