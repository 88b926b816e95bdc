import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { describeWithData, repoRoot } from '#test/helpers/data.ts';
import {
  nameAndCorrect,
  scenarioPhotos,
  scoreScenario,
  type ScenarioState,
  type ScenarioUser,
} from '#test/helpers/people-scenario.ts';
import { readPeople, runCluster } from './cluster-helpers.ts';

// Issue 12's acceptance scenario through the CLI, on real photos and models (test/helpers/
// people-scenario.ts): half of the photos clustered, everyone named, mistakes corrected with
// `rankface name|not|move`, the other half added, `rankface cluster` again; then RANKFACE_EMBEDDER
// switched and `rankface cluster` again (the model upgrade): nothing the user said is undone, and
// the new photos of named people get the right name, after each run.
const exec = promisify(execFile);
/** The embedder the scenario switches to after the default (faceplugin-arcface512). */
const OTHER_EMBEDDER = 'mobilefacenet';

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
    await exec(process.execPath, [join(repoRoot, 'bin', 'rankface.js'), ...args, '--out', out], {
      cwd: repoRoot,
      timeout: 60_000,
    });
  };
  const state = async (): Promise<ScenarioState> => {
    const r = readPeople(out);
    const face = (f: { face_id: string; photo: string; box: readonly number[] }) => ({
      faceId: f.face_id,
      photo: f.photo,
      area: f.box[2]! * f.box[3]!,
    });
    return {
      people: r.people.map((p) => ({ id: p.id, name: p.name, faces: p.faces.map(face) })),
      unassigned: r.unassigned.map(face),
    };
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
    process.stderr.write(
      `scenario (CLI): ${JSON.stringify({ edits: word.edits, joined_known_people: rerun.summary.joined_known_people, ...score })}\n`,
    );
    expect(score).toMatchObject({ confirmedMoved: 0, rejectedBack: 0, namesLost: 0, namesDuplicated: 0 });
    expect(score.newOfNamed).toBeGreaterThanOrEqual(20);
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
    expect(rerun.summary.joined_known_people).toBeGreaterThan(0);

    // The model upgrade: another embedder, every face embedded again from its stored crop (no new
    // detection, so the same face ids), re-clustered with every edit replayed.
    const before = await state();
    const faceIds = (s: ScenarioState): string[] =>
      [...s.people.flatMap((p) => p.faces), ...s.unassigned].map((f) => f.faceId).sort();
    const migrated = await runCluster(photos, out, ['--workers', '1'], { RANKFACE_EMBEDDER: OTHER_EMBEDDER });
    expect(migrated.summary.engine.embedder).toBe(OTHER_EMBEDDER);
    expect(migrated.summary.new_photos).toBe(0);
    expect(migrated.summary.reembedded_faces).toBe(migrated.summary.faces); // all of them, gated ones too
    expect(migrated.summary.churn.confirmed_changed).toBe(0);
    const after = await state();
    expect(faceIds(after)).toEqual(faceIds(before));
    const upgraded = scoreScenario(word, after, (photo) => identityOf.get(photo));
    process.stderr.write(
      `scenario (CLI, after switching to ${OTHER_EMBEDDER}): ${JSON.stringify({ reembedded_faces: migrated.summary.reembedded_faces, churn: migrated.summary.churn, ...upgraded })}\n`,
    );
    expect(upgraded).toMatchObject({ confirmedMoved: 0, rejectedBack: 0, namesLost: 0, namesDuplicated: 0 });
    expect(upgraded.newOfNamed).toBeGreaterThanOrEqual(20);
    expect(upgraded.precision).toBeGreaterThanOrEqual(0.99);
    expect(upgraded.recall).toBeGreaterThanOrEqual(0.9);
    // Done once: the next run embeds nothing again.
    const again = await runCluster(photos, out, ['--workers', '1'], { RANKFACE_EMBEDDER: OTHER_EMBEDDER });
    expect(again.summary.reembedded_faces).toBe(0);
  }, 480_000);
});
