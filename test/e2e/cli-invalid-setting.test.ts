import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '#test/helpers/data.ts';

/** Issue 13, item 9: a bad environment value is a setup failure, told in one line that names the
 * variable and what it accepts; no stack trace, exit 2, for every command. A RANKFACE_MAX_BYTES
 * over 1 GiB is refused at start: with 4 GiB, a 2 GiB file in the folder aborted the whole run
 * (SIGABRT in Node's file read, exit 134), and one past it threw from the hash. */
describe('rankface with an invalid setting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rankface-e2e-setting-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rankface = (args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(repoRoot, 'bin', 'rankface.js'), ...args],
        { cwd: repoRoot, timeout: 60_000, env: { ...process.env, ...env } },
        (err, _stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
        },
      );
    });

  it.each([
    [
      'cluster',
      ['cluster', dir, '--out', join(dir, 'out')],
      { RANKFACE_MAX_BYTES: String(4 * 1024 ** 3) },
      "RANKFACE_MAX_BYTES must be an integer in 1..1073741824, got '4294967296'",
    ],
    [
      'detect',
      ['detect', join(dir, 'x.jpg')],
      { RANKFACE_MAX_BYTES: '0.5' },
      "RANKFACE_MAX_BYTES must be an integer in 1..1073741824, got '0.5'",
    ],
    [
      'eval',
      ['eval', dir],
      { RANKFACE_MAX_PIXELS: 'lots' },
      "RANKFACE_MAX_PIXELS must be a positive number, got 'lots'",
    ],
    ['doctor', ['doctor'], { RANKFACE_MAX_PIXELS: '-1' }, "RANKFACE_MAX_PIXELS must be a positive number, got '-1'"],
  ])('%s: one line naming the variable, exit 2', async (command, args, env, message) => {
    const run = await rankface(args, env);
    expect(run.stderr).toBe(`rankface ${command}: ${message}\n`);
    expect(run.code).toBe(2);
  });
});
