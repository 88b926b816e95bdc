import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData, repoRoot } from '#test/helpers/data.ts';
import { makeBbtFolder, readPeople, runCluster } from './cluster-helpers.ts';

/** The local edit commands as outside scripts drive them, on real photos and models: each edit applies
 * at once and rewrites people.json; unknown ids exit non-zero and change nothing; a later `rankface
 * cluster` run keeps every edit. Includes the exact sequence of issue 12 that once made a person
 * vanish: move one face out of a 5-face person, mark another "not this person", re-cluster. */

interface Cli {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const rankface = (args: string[]): Promise<Cli> =>
  new Promise((done) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin', 'rankface.js'), ...args],
      { cwd: repoRoot, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });

describeWithData('rankface name|merge|move|not|hide|unhide|why|people', () => {
  let root = '';
  const photos = (): string => join(root, 'photos');
  const out = (): string => join(root, 'out');
  const facesOf = (id: string): string[] =>
    readPeople(out())
      .people.find((p) => p.id === id)
      ?.faces.map((f) => f.face_id) ?? [];
  const personOf = (faceId: string): string | undefined =>
    readPeople(out()).people.find((p) => p.faces.some((f) => f.face_id === faceId))?.id;
  const edit = async (...args: string[]): Promise<Cli> => rankface([...args, '--out', out()]);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-cli-edits-'));
    makeBbtFolder(photos(), ['amy', 'howard', 'leonard', 'penny', 'raj', 'sheldon'], false);
    await runCluster(photos(), out(), ['--workers', '1']);
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('applies each edit at once, refuses unknown ids, and keeps every edit over a re-run', async () => {
    const before = readPeople(out()).people;
    expect(before).toHaveLength(6);
    const [named, hidden, target, absorbed, victim, receiver] = before.map((p) => p.id) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const untouched = readFileSync(join(out(), 'people.json'), 'utf8');

    // Unknown ids: non-zero exit, a message, nothing changed.
    for (const args of [
      ['name', 'p_nobody', 'X'],
      ['merge', 'p_nobody', target],
      ['move', 'nope#000', target],
      ['not', 'nope#000'],
      ['hide', 'p_nobody'],
      ['why', 'nope#000'],
    ]) {
      const r = await edit(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/no such|unknown|not found|no person|no face/i);
    }
    expect(readFileSync(join(out(), 'people.json'), 'utf8')).toBe(untouched);

    expect((await edit('name', named, 'Amy Example')).code).toBe(0);
    expect(readPeople(out()).people.find((p) => p.id === named)?.name).toBe('Amy Example');
    expect((await edit('hide', hidden)).code).toBe(0);
    expect((await edit('unhide', hidden)).code).toBe(0);
    expect((await edit('hide', hidden)).code).toBe(0);
    const merged = [...facesOf(target), ...facesOf(absorbed)].sort();
    expect((await edit('merge', absorbed, target)).code).toBe(0);
    expect(facesOf(target).sort()).toEqual(merged);
    expect(readPeople(out()).people.some((p) => p.id === absorbed)).toBe(false);

    // The sequence that once cost a person: move one face out, reject another, re-cluster.
    const victimFaces = facesOf(victim);
    expect(victimFaces).toHaveLength(5);
    const [moved, rejected, ...rest] = victimFaces as [string, string, ...string[]];
    expect((await edit('move', moved, receiver)).code).toBe(0);
    expect(personOf(moved)).toBe(receiver);
    expect((await edit('not', rejected)).code).toBe(0);
    expect(personOf(rejected)).toBeUndefined();
    const why = JSON.parse((await edit('why', rejected, '--json')).stdout) as Record<string, unknown>;
    expect(JSON.stringify(why)).toMatch(/reject/);
    const listed = JSON.parse((await edit('people', '--json')).stdout) as unknown;
    expect(JSON.stringify(listed)).toContain(victim);

    const rerun = await runCluster(photos(), out(), ['--workers', '1']);
    expect(rerun.summary.churn.confirmed_changed).toBe(0);
    const after = readPeople(out()).people;
    expect(after.find((p) => p.id === named)?.name).toBe('Amy Example');
    expect(after.find((p) => p.id === hidden)).toMatchObject({ hidden: true });
    for (const f of merged) expect(personOf(f)).toBe(target);
    expect(personOf(moved)).toBe(receiver);
    expect(personOf(rejected)).not.toBe(victim);
    // The person keeps its id and its other three faces.
    expect(facesOf(victim).sort()).toEqual([...rest].sort());
  });
});
