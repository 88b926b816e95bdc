import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClusterSummary } from '#cli/commands/cluster.ts';
import type { PeopleReport, ReportFace } from '#cli/report/model.ts';
import { dataPath, repoRoot } from '#test/helpers/data.ts';

/** Shared by the `rankface cluster` end-to-end tests: build a photo folder from the labelled data,
 * run the real CLI in a child process, read its outputs. */

const run = promisify(execFile);

export const BBT_CHARACTERS = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'];

/** `<dir>/<character>/*.png` crops plus `<dir>/group/bbt*.jpg` photos. */
export function makeBbtFolder(dir: string, characters: readonly string[] = BBT_CHARACTERS, groups = true): void {
  for (const c of characters) {
    mkdirSync(join(dir, c), { recursive: true });
    for (const f of readdirSync(dataPath('bbt', c))) copyFileSync(dataPath('bbt', c, f), join(dir, c, f));
  }
  if (groups) {
    mkdirSync(join(dir, 'group'), { recursive: true });
    for (const f of readdirSync(dataPath('group', 'bbt')))
      if (f.endsWith('.jpg')) copyFileSync(dataPath('group', 'bbt', f), join(dir, 'group', f));
  }
}

export interface CliRun {
  readonly summary: ClusterSummary;
  readonly stderr: string;
}

export async function runCluster(
  photosDir: string,
  outDir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
  timeout = 240_000,
): Promise<CliRun> {
  const { stdout, stderr } = await run(
    process.execPath,
    [join(repoRoot, 'bin', 'rankface.js'), 'cluster', photosDir, '--out', outDir, '--json', ...extra],
    {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
      timeout,
      env: { ...process.env, ...env },
    },
  );
  return { summary: JSON.parse(stdout) as ClusterSummary, stderr };
}

export const readPeople = (outDir: string): PeopleReport =>
  JSON.parse(readFileSync(join(outDir, 'people.json'), 'utf8')) as PeopleReport;

export const allFaces = (r: PeopleReport): ReportFace[] => [...r.people.flatMap((p) => p.faces), ...r.unassigned];

interface Annotation {
  readonly identities_left_to_right?: string[];
  readonly identities?: { readonly top_row_left_to_right: string[]; readonly bottom_row_left_to_right: string[] };
  readonly faces?: number;
}

/** Ground-truth identity of each face the report lists, where it is unambiguous: crops by their
 * folder; group photos by left-to-right order when the photo has exactly the annotated count. */
export function truthOf(report: PeopleReport): Map<string, string> {
  const annotations = JSON.parse(readFileSync(dataPath('group', 'annotations.json'), 'utf8')) as Record<
    string,
    Annotation
  >;
  const truth = new Map<string, string>();
  const byPhoto = new Map<string, ReportFace[]>();
  for (const f of allFaces(report)) {
    const [folder] = f.photo.split('/');
    if (folder !== 'group') {
      truth.set(f.face_id, folder!);
      continue;
    }
    byPhoto.set(f.photo, [...(byPhoto.get(f.photo) ?? []), f]);
  }
  for (const [photo, faces] of byPhoto) {
    const a = annotations[`bbt/${photo.slice('group/'.length)}`];
    const centreX = (f: ReportFace): number => f.box[0] + f.box[2] / 2;
    if (a?.identities_left_to_right && a.faces === faces.length) {
      [...faces]
        .sort((x, y) => centreX(x) - centreX(y))
        .forEach((f, i) => truth.set(f.face_id, a.identities_left_to_right![i]!));
    } else if (
      a?.identities &&
      faces.length === a.identities.top_row_left_to_right.length + a.identities.bottom_row_left_to_right.length
    ) {
      const byY = [...faces].sort((x, y) => x.box[1] - y.box[1]);
      const top = byY.slice(0, a.identities.top_row_left_to_right.length).sort((x, y) => centreX(x) - centreX(y));
      const bottom = byY.slice(top.length).sort((x, y) => centreX(x) - centreX(y));
      top.forEach((f, i) => truth.set(f.face_id, a.identities!.top_row_left_to_right[i]!));
      bottom.forEach((f, i) => truth.set(f.face_id, a.identities!.bottom_row_left_to_right[i]!));
    }
  }
  return truth;
}

/** Predicted label per face: its person id, or its own id when unassigned (a singleton). */
export function predictedOf(report: PeopleReport): Map<string, string> {
  const predicted = new Map<string, string>();
  for (const p of report.people) for (const f of p.faces) predicted.set(f.face_id, p.id);
  for (const f of report.unassigned) predicted.set(f.face_id, `single:${f.face_id}`);
  return predicted;
}

export interface CliExit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rankface cluster` and returns its exit status instead of throwing on a non-zero one. */
export async function runClusterExit(
  photosDir: string,
  outDir: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<CliExit> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(repoRoot, 'bin', 'rankface.js'), 'cluster', photosDir, '--out', outDir, '--json', ...extra],
      {
        cwd: repoRoot,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 240_000,
        env: { ...process.env, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
