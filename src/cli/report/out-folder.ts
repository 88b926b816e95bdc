import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { RankfaceError } from '#core/errors.ts';

/** The output folder is rankface's own: it holds a marker file, and rankface writes only into a
 * folder that is new, empty, or already marked. A folder with anything else in it (the photos
 * folder, a home folder, a project) is refused before a single byte is written, because the report
 * overwrites `index.html` and `people.json` and prunes its thumbnails. The photo scan skips every
 * marked folder, so a run never analyses its own (or another run's) thumbnails. */

/** Present in every folder rankface writes its output to. */
export const OUTPUT_MARKER = '.rankface-output.json';

export type OutFolderErrorCode = 'out-is-photos' | 'out-not-empty' | 'out-not-folder' | 'out-unwritable' | 'out-locked';

export class OutFolderError extends RankfaceError {
  constructor(
    override readonly code: OutFolderErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

export interface OutputMarker {
  readonly tool: 'rankface';
  readonly version: 1;
  /** Absolute photos folder of the last run that wrote here. */
  readonly photosDir: string;
}

/** True when `inner` is `outer` or somewhere below it. */
export function isInside(inner: string, outer: string): boolean {
  const rel = relative(resolve(outer), resolve(inner));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

export async function readOutputMarker(dir: string): Promise<OutputMarker | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, OUTPUT_MARKER), 'utf8')) as Partial<OutputMarker>;
    return parsed.tool === 'rankface' ? (parsed as OutputMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** Output folders written before the marker existed: the database next to the report. */
async function isUnmarkedRankfaceOutput(entries: readonly string[]): Promise<boolean> {
  return entries.includes('rankface.db') && entries.includes('people.json');
}

/** Checks that rankface may write into `outDir` and marks it. Throws OutFolderError (one line,
 * with the fix) otherwise. Returns the marker found there before this run, if any. */
export async function claimOutFolder(outDir: string, photosDir: string): Promise<OutputMarker | undefined> {
  if (isInside(photosDir, outDir)) {
    throw new OutFolderError(
      'out-is-photos',
      `--out ${outDir} is (or contains) the photos folder; choose a separate folder, e.g. --out ./rankface-out`,
    );
  }
  let entries: string[] = [];
  try {
    if (!(await stat(outDir)).isDirectory())
      throw new OutFolderError(
        'out-not-folder',
        `--out ${outDir} exists and is not a folder; choose a new or empty folder`,
      );
    entries = await readdir(outDir);
  } catch (err) {
    if (err instanceof OutFolderError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new OutFolderError('out-unwritable', `cannot use --out ${outDir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const previous = entries.includes(OUTPUT_MARKER) ? await readOutputMarker(outDir) : undefined;
  if (entries.length > 0 && previous === undefined && !(await isUnmarkedRankfaceOutput(entries))) {
    throw new OutFolderError(
      'out-not-empty',
      `--out ${outDir} is not empty and is not a rankface output folder; rankface writes only into a new or empty folder (or one it made), e.g. --out ./rankface-out`,
    );
  }
  // The photos folder on record changes only after a run completes (writeOutputMarker).
  await writeOutputMarker(outDir, previous?.photosDir ?? photosDir);
  return previous;
}

/** (Re)writes the marker, recording the photos folder the output now describes. */
export async function writeOutputMarker(outDir: string, photosDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
    const marker: OutputMarker = { tool: 'rankface', version: 1, photosDir: resolve(photosDir) };
    await writeFile(join(outDir, OUTPUT_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  } catch (err) {
    throw new OutFolderError('out-unwritable', `cannot write to --out ${outDir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

const LOCK_FILE = '.rankface.lock';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One writer per output folder: a second `rankface cluster` on the same folder is refused (it
 * would analyse everything again, racing the first). A lock left by a process that is gone is
 * taken over. Returns the release function. */
export async function lockOutFolder(outDir: string): Promise<() => Promise<void>> {
  const file = join(outDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OutFolderError('out-unwritable', `cannot write to --out ${outDir}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
      throw new OutFolderError(
        'out-locked',
        `another rankface (pid ${pid}) is writing to --out ${outDir}; wait for it to finish, or use another --out`,
      );
    }
    await rm(file, { force: true }); // stale: its process is gone
  }
  throw new OutFolderError('out-locked', `could not lock --out ${outDir}; is another rankface starting there?`);
}
