import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Box } from '#core/types.ts';
import { iou } from '#core/vision/nms.ts';
import { repoRoot } from '#test/helpers/data.ts';

/** Shared by the hostile-input end-to-end tests: run the real CLI in a child process and measure
 * its peak memory; compare the faces found in a photo with the faces found in its source. */

export interface MeasuredRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The child's peak resident set (worker threads included), in bytes. */
  readonly maxRssBytes: number;
}

// Loaded before the CLI: on exit, the main thread writes its peak RSS (process.resourceUsage,
// in KiB) where the test asked. Portable, unlike /usr/bin/time.
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import { isMainThread } from 'node:worker_threads'; import { writeFileSync } from 'node:fs';" +
    "if (isMainThread) process.on('exit', () => writeFileSync(process.env.RANKFACE_TEST_RSS_FILE, String(process.resourceUsage().maxRSS)));",
)}`;

export function runRankfaceMeasured(args: readonly string[], scratch: string, timeout = 120_000): Promise<MeasuredRun> {
  const rssFile = join(scratch, `rss-${process.pid}-${Date.now()}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', RSS_PRELOAD, join(repoRoot, 'bin', 'rankface.js'), ...args],
      { cwd: repoRoot, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, RANKFACE_TEST_RSS_FILE: rssFile } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        // Killed by a signal (an abort, the OOM killer, the timeout): no exit code, no RSS record.
        if (err?.signal) return reject(new Error(`rankface ${args[0]} died of ${err.signal}: ${stderr.slice(-2000)}`));
        try {
          const maxRssBytes = Number(readFileSync(rssFile, 'utf8')) * 1024;
          rmSync(rssFile);
          resolve({ code, stdout, stderr, maxRssBytes });
        } catch (e) {
          reject(
            new Error(`rankface ${args[0]} left no RSS record (exit ${code}): ${stderr.slice(-2000)}`, { cause: e }),
          );
        }
      },
    );
  });
}

/** Each expected face is found again (IoU above `minIou`), and no other. */
export function expectSameFaces(
  file: string,
  found: readonly Box[] | undefined,
  expected: readonly Box[],
  minIou: number,
): void {
  expect(found?.length, `${file}: faces found`).toBe(expected.length);
  for (const box of expected)
    expect(Math.max(...found!.map((b) => iou(b, box))), `${file}: box ${box.join(',')}`).toBeGreaterThan(minIou);
}
