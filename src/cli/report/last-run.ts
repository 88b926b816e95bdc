import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a completed `rankface cluster` run leaves in `<out>/.cache/last-run.json`: a fingerprint of
 * everything its people and report were made from, and the summary it printed. A later run whose
 * fingerprint is the same (no new, removed or changed photos, no edits, same engine, settings and
 * program) has nothing to re-cluster or rewrite: it prints the same summary, which keeps a
 * no-change re-run to start-up plus the folder scan. */

export interface LastRun<Summary> {
  readonly fingerprint: string;
  readonly summary: Summary;
}

const lastRunFileOf = (outDir: string): string => join(outDir, '.cache', 'last-run.json');

export async function readLastRun<Summary>(outDir: string): Promise<LastRun<Summary> | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lastRunFileOf(outDir), 'utf8')) as Partial<LastRun<Summary>>;
    return typeof parsed.fingerprint === 'string' && parsed.summary !== undefined
      ? (parsed as LastRun<Summary>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function writeLastRun<Summary>(outDir: string, run: LastRun<Summary>): Promise<void> {
  const file = lastRunFileOf(outDir);
  await mkdir(join(outDir, '.cache'), { recursive: true });
  try {
    await writeFile(`${file}.tmp`, JSON.stringify(run));
    await rename(`${file}.tmp`, file);
  } catch (err) {
    await rm(`${file}.tmp`, { force: true }); // no stray .tmp file after a failed write (disk full)
    throw err;
  }
}

/** Forgets the last run (before anything in the output folder changes), so a run that fails
 * half-way is never taken for a completed one. */
export async function forgetLastRun(outDir: string): Promise<void> {
  await rm(lastRunFileOf(outDir), { force: true });
}

/** The written outputs, as far as a re-run depends on them: the exact people.json (every edit
 * rewrites it), the report page, and the number of thumbnails (one deleted is made again). */
export async function outputsFingerprint(outDir: string): Promise<unknown> {
  const [peopleJson, report, thumbs] = await Promise.all([
    readFile(join(outDir, 'people.json')).catch(() => undefined),
    stat(join(outDir, 'index.html')).catch(() => undefined),
    readdir(join(outDir, 'thumbs')).catch(() => [] as string[]),
  ]);
  return {
    peopleJson: peopleJson ? createHash('sha256').update(peopleJson).digest('hex') : null,
    report: report?.isFile() ?? false,
    thumbs: thumbs.length,
  };
}

/** One hex digest of a JSON-able description of a run's inputs. */
export const fingerprintOf = (inputs: unknown): string =>
  createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
