import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { describeWithData, repoRoot } from '#test/helpers/data.ts';
import { nameAndCorrect, scenarioPhotos, scoreScenario, type ScenarioState, type ScenarioUser } from '#test/helpers/people-scenario.ts';
import { readPeople, runCluster } from './cluster-helpers.ts';

// Issue 12's acceptance scenario through the CLI, on real photos and models (test/helpers/
// people-scenario.ts): half of the photos clustered, everyone named, mistakes corrected with
// `rankface name|not|move`, the other half added, `rankface cluster` again: nothing the user said is
// undone, and the new photos of named people get the right name.
const exec = promisify(execFile);

describeWithData('people scenario through the CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-scenario-cli-'));
  const photos = join(root, 'photos');
  const out = join(root, 'out');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const all = scenarioPhotos();
  const identityOf = new Map(all.map((p) => [`${p.identity}/${p.file}`, p.identity]));
  const add = (half: 1 | 2): void => {
    for (const p of all.filter((x) => x.half === half)) {
      mkdirSync(join(photos, p.identity), { recursive: true });
      copyFileSync(p.path, join(photos, p.identity, p.file));
    }
  };
  const edit = async (...args: string[]): Promise<void> => {
    await exec(process.execPath, [join(repoRoot, 'bin', 'rankface.js'), ...args, '--out', out], { cwd: repoRoot, timeout: 60_000 });
  };
  const state = async (): Promise<ScenarioState> => {
    const r = readPeople(out);
    const face = (f: { face_id: string; photo: string; box: readonly number[] }) => ({ faceId: f.face_id, photo: f.photo, area: f.box[2]! * f.box[3]! });
    return { people: r.people.map((p) => ({ id: p.id, name: p.name, faces: p.faces.map(face) })), unassigned: r.unassigned.map(face) };
  };
  const user: ScenarioUser = {
    state,
    name: (id, name) => edit('name', id, name),
    reject: (faceId) => edit('not', faceId),
    move: (faceId, id) => edit('move', faceId, id),
  };

  it('keeps every edit and names the new photos of named people', async () => {
    add(1);
    await runCluster(photos, out, ['--workers', '1']);
    const word = await nameAndCorrect(user, (photo) => identityOf.get(photo));
    expect(word.names.size).toBeGreaterThanOrEqual(8);

    add(2);
    const rerun = await runCluster(photos, out, ['--workers', '1']);
    expect(rerun.summary.new_photos).toBe(all.filter((p) => p.half === 2).length);
    expect(rerun.summary.churn.confirmed_changed).toBe(0);
    const score = scoreScenario(word, await state(), (photo) => identityOf.get(photo));
    process.stderr.write(`scenario (CLI): ${JSON.stringify({ edits: word.edits, joined_known_people: rerun.summary.joined_known_people, ...score })}\n`);
    expect(score).toMatchObject({ confirmedMoved: 0, rejectedBack: 0, namesLost: 0, namesDuplicated: 0 });
    expect(score.newOfNamed).toBeGreaterThanOrEqual(20);
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
    expect(rerun.summary.joined_known_people).toBeGreaterThan(0);
  }, 300_000);
});
