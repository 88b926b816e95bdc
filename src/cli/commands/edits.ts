import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { systemClock } from '#core/ports/clock.ts';
import {
  mergePeople,
  moveFace,
  PeopleEditError,
  rejectFace,
  renamePerson,
  setPersonHidden,
  type PeopleEditDeps,
} from '#core/pipeline/people-edits.ts';
import { explainFace, type WhyAnswer } from '#core/pipeline/why-face.ts';
import { calibrationFor } from '#config/calibration.ts';
import type { PeopleReport } from '#cli/report/model.ts';
import { readPeopleJson, rewriteReportFromStore } from '#cli/report/rewrite.ts';

/** The local edit commands on an output folder written by `rankface cluster`: `name`, `merge`,
 * `move`, `not`, `hide`, `unhide` apply at once through the core use-cases (the same as the API) and
 * rewrite people.json and the report; `why` and `people` read. Ids are those of people.json. Exit
 * codes: 0 done, 1 unknown id or refused edit (nothing changed), 2 usage or no output folder. */

const LOCAL_USER = 'local';

interface EditCommand {
  readonly args: readonly string[];
  readonly summary: string;
  /** Applies the edit and returns the line to print; reads-only commands return undefined. */
  readonly apply?: (a: readonly string[], deps: PeopleEditDeps) => Promise<string>;
}

const COMMANDS: Record<string, EditCommand> = {
  name: {
    args: ['person-id', 'name'],
    summary: 'name a person (a name another person has merges the two)',
    apply: async ([p, n], d) => `${(await renamePerson(LOCAL_USER, p!, n!, d)).personId} is now '${n}'`,
  },
  merge: {
    args: ['person-id', 'into-person-id'],
    summary: 'merge a person into another (the second keeps its id)',
    apply: async ([p, into], d) => `merged ${p} into ${(await mergePeople(LOCAL_USER, p!, into!, d)).personId}`,
  },
  move: {
    args: ['face-id', 'person-id'],
    summary: 'move a face into a person, for good',
    apply: async ([f, p], d) => `moved ${f} to ${(await moveFace(LOCAL_USER, f!, p!, d)).personId}`,
  },
  not: {
    args: ['face-id'],
    summary: 'take a face out of its person; it never returns to it',
    apply: async ([f], d) => `${f} is not ${(await rejectFace(LOCAL_USER, f!, d)).personId}`,
  },
  hide: {
    args: ['person-id'],
    summary: 'hide a person (stays hidden through re-runs)',
    apply: async ([p], d) => `hid ${(await setPersonHidden(LOCAL_USER, p!, true, d)).personId}`,
  },
  unhide: {
    args: ['person-id'],
    summary: 'show a hidden person again',
    apply: async ([p], d) => `showing ${(await setPersonHidden(LOCAL_USER, p!, false, d)).personId}`,
  },
  why: { args: ['face-id'], summary: 'why a face is in its person (or in none)' },
  people: { args: [], summary: 'list the people of people.json' },
};

export const EDIT_COMMANDS = Object.keys(COMMANDS);

interface Parsed {
  readonly positional: string[];
  readonly outDir: string;
  readonly json: boolean;
}

function parse(argv: readonly string[]): Parsed | string {
  const positional: string[] = [];
  let outDir = 'rankface-out';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--out' || a === '-o') {
      const v = argv[++i];
      if (!v) return '--out needs a folder';
      outDir = v;
    } else if (a.startsWith('--out=')) outDir = a.slice('--out='.length);
    else if (a.startsWith('--') && a.length > 2) return `unknown option '${a}'`;
    else positional.push(a);
  }
  return { positional, outDir: resolve(outDir), json };
}

const usageOf = (name: string): string =>
  `usage: rankface ${name} ${COMMANDS[name]!.args.map((a) => `<${a}>`).join(' ')} [--out <dir>]${name === 'why' || name === 'people' ? ' [--json]' : ''}\n  ${COMMANDS[name]!.summary}`;

function whyText(w: WhyAnswer): string {
  const where = w.personId
    ? `in ${w.personId}${w.personName ? ` (${w.personName})` : ''}: ${w.basis}`
    : `unassigned: ${w.unassignedReason}`;
  const lines = [`${w.faceId} ${where}`];
  if (w.similarityToPerson !== null)
    lines.push(`  similarity to the person ${w.similarityToPerson}${w.pSame !== null ? `, P(same) ${w.pSame}` : ''}`);
  for (const n of w.nearest)
    lines.push(
      `  nearest ${n.faceId} (${n.personId ?? 'unassigned'}) similarity ${n.similarity}${n.pSame !== null ? `, P(same) ${n.pSame}` : ''}`,
    );
  if (w.rejectedPersonIds.length > 0) lines.push(`  not: ${w.rejectedPersonIds.join(', ')}`);
  return lines.join('\n');
}

const whyJson = (w: WhyAnswer) => ({
  face_id: w.faceId,
  photo_id: w.photoId,
  person_id: w.personId,
  person_name: w.personName,
  basis: w.basis,
  similarity_to_person: w.similarityToPerson,
  p_same: w.pSame,
  nearest: w.nearest.map((n) => ({
    face_id: n.faceId,
    person_id: n.personId,
    similarity: n.similarity,
    p_same: n.pSame,
  })),
  unassigned_reason: w.unassignedReason,
  rejected_person_ids: w.rejectedPersonIds,
  model_id: w.modelId,
});

async function readOnly(name: string, args: Parsed, store: SqliteFaceStore, report: PeopleReport): Promise<number> {
  if (name === 'people') {
    if (args.json)
      process.stdout.write(
        `${JSON.stringify({ people: report.people, unassigned: report.unassigned.length }, null, 2)}\n`,
      );
    else
      for (const p of report.people)
        process.stdout.write(`${p.id}\t${p.name ?? ''}\t${p.face_count} faces${p.hidden ? '\thidden' : ''}\n`);
    return 0;
  }
  const modelId = report.models.embedder;
  const pSame = calibrationFor(modelId);
  const answer = await explainFace(LOCAL_USER, args.positional[0]!, {
    faces: store,
    modelId,
    ...(pSame ? { pSame } : {}),
  });
  process.stdout.write(args.json ? `${JSON.stringify(whyJson(answer), null, 2)}\n` : `${whyText(answer)}\n`);
  return 0;
}

export async function runEdit(name: string, argv: readonly string[]): Promise<number> {
  const command = COMMANDS[name]!;
  if (argv.includes('--help') || argv.includes('-h')) return (void process.stdout.write(`${usageOf(name)}\n`), 0);
  const args = parse(argv);
  if (typeof args === 'string' || args.positional.length !== command.args.length) {
    process.stderr.write(
      `rankface ${name}: ${typeof args === 'string' ? args : 'wrong number of arguments'}\n${usageOf(name)}\n`,
    );
    return 2;
  }
  const dbFile = join(args.outDir, 'rankface.db');
  if (!existsSync(dbFile) || !existsSync(join(args.outDir, 'people.json'))) {
    process.stderr.write(
      `rankface ${name}: no rankface output in ${args.outDir} (run rankface cluster <photos> --out ${args.outDir} first)\n`,
    );
    return 2;
  }
  const store = new SqliteFaceStore(dbFile);
  try {
    const previous = await readPeopleJson(args.outDir);
    if (!command.apply) return await readOnly(name, args, store, previous);
    const line = await command.apply(args.positional, { people: store, clock: systemClock });
    await rewriteReportFromStore(args.outDir, LOCAL_USER, store, new FsBlobStore(join(args.outDir, 'blobs')), previous);
    process.stdout.write(`${line}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof PeopleEditError)) throw err;
    process.stderr.write(`rankface ${name}: ${err.message}\n`);
    return 1;
  } finally {
    store.close();
  }
}

/** One loader per command for the CLI's lazy registry. */
export const commandOf = (name: string) => ({ run: (argv: string[]) => runEdit(name, argv) });
