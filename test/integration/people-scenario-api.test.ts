import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData, repoRoot } from '#test/helpers/data.ts';
import {
  nameAndCorrect,
  scenarioPhotos,
  scoreScenario,
  type ScenarioFace,
  type ScenarioState,
  type ScenarioUser,
} from '#test/helpers/people-scenario.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB } from './setup/users.ts';

// Issue 12's acceptance scenario through the API on the emulators (real handlers, S3, DynamoDB
// Local, SQS; test/helpers/people-scenario.ts): half of the photos uploaded and processed, everyone
// named, mistakes corrected with PATCH /people, not-person and move, the other half uploaded and
// processed (embed joins known people, then the scheduled clustering run); then the embedder
// switched and `rankface cloud migrate` run: nothing the user said is undone, and the new photos of
// named people get the right name, after each run.
const exec = promisify(execFile);
/** The embedder the stack switches to after the default (faceplugin-arcface512). */
const OTHER_EMBEDDER = 'mobilefacenet';

describeWithData('people scenario through the API', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('people-scenario');
  }, 120_000);
  afterAll(async () => p?.stop());

  const all = scenarioPhotos();
  const faceIds = (s: ScenarioState): string[] =>
    [...s.people.flatMap((x) => x.faces), ...s.unassigned].map((f) => f.faceId).sort();
  /** `rankface cloud migrate --user BOB --json` against the emulators (their settings are in the
   * environment, as a stack's outputs would be), with the stack's new embedder. */
  const migrate = async (): Promise<{ embedder: string; faces: number; faces_current: number; enqueued: number }> => {
    const { stdout } = await exec(
      process.execPath,
      [join(repoRoot, 'bin', 'rankface.js'), 'cloud', 'migrate', '--user', BOB, '--json'],
      {
        cwd: repoRoot,
        timeout: 120_000,
        env: { ...process.env, RANKFACE_EMBEDDER: OTHER_EMBEDDER },
      },
    );
    return JSON.parse(stdout);
  };
  const identityOfKey = new Map<string, string>();
  const upload = async (half: 1 | 2): Promise<void> => {
    for (const ph of all.filter((x) => x.half === half))
      identityOfKey.set(await p.upload(BOB, ph.file, new Uint8Array(readFileSync(ph.path))), ph.identity);
    expect(await p.settle()).toEqual([]);
  };
  const identityOf = async (): Promise<(photoId: string) => string | undefined> => {
    const byPhoto = new Map(
      (await p.runtime.faces.listPhotos(BOB)).map((ph) => [ph.photoId, identityOfKey.get(ph.sourceKey)]),
    );
    return (photoId) => byPhoto.get(photoId);
  };

  interface ApiFace {
    faceId: string;
    photoId: string;
    box: number[];
  }
  const face = (f: ApiFace): ScenarioFace => ({ faceId: f.faceId, photo: f.photoId, area: f.box[2]! * f.box[3]! });
  const ok = async (method: string, resource: string, params: Record<string, string>, body?: unknown) => {
    const res = await p.api(BOB, method, resource, params, body);
    expect(res.status, `${method} ${resource} ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const state = async (): Promise<ScenarioState> => {
    const people = (await ok('GET', '/people', {})).people as { personId: string; name: string | null }[];
    const withFaces = await Promise.all(
      people.map(async (x) => ({
        id: x.personId,
        name: x.name,
        faces: ((await ok('GET', '/people/{personId}/faces', { personId: x.personId })).faces as ApiFace[]).map(face),
      })),
    );
    const loose = (await p.api(BOB, 'GET', '/faces', {}, undefined, { state: 'unassigned' })).body.faces as ApiFace[];
    return { people: withFaces, unassigned: loose.map(face) };
  };
  const user: ScenarioUser = {
    state,
    name: async (personId, name) => void (await ok('PATCH', '/people/{personId}', { personId }, { name })),
    reject: async (faceId) => void (await ok('POST', '/faces/{faceId}/not-person', { faceId })),
    move: async (faceId, toPersonId) => void (await ok('POST', '/faces/{faceId}/move', { faceId }, { toPersonId })),
  };

  it('keeps every edit and names the new photos of named people', async () => {
    await upload(1);
    const word = await nameAndCorrect(user, await identityOf());
    expect(word.names.size).toBeGreaterThanOrEqual(8);
    await upload(2);
    const score = scoreScenario(word, await state(), await identityOf());
    process.stderr.write(`scenario (API): ${JSON.stringify({ edits: word.edits, ...score })}\n`);
    expect(score).toMatchObject({ confirmedMoved: 0, rejectedBack: 0, namesLost: 0, namesDuplicated: 0 });
    expect(score.newOfNamed).toBeGreaterThanOrEqual(20);
    expect(score.precision).toBeGreaterThanOrEqual(0.99);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);

    // The model upgrade: the stack's embedder changes (handlers built again with it), then the
    // migration command, run as an operator would: every face embedded again from its stored crop
    // by the embed stage (no new detection: the same face ids), the scheduled run re-clusters.
    const before = await state();
    await p.local.switchEmbedder(OTHER_EMBEDDER);
    const first = await migrate();
    // Every face, those below the quality gate (not listed by the routes above) too.
    expect(first).toMatchObject({ embedder: OTHER_EMBEDDER, faces_current: 0 });
    expect(first.faces).toBeGreaterThanOrEqual(faceIds(before).length);
    expect(first.enqueued).toBeGreaterThan(0);
    expect(await p.settle()).toEqual([]);
    const after = await state();
    expect(faceIds(after)).toEqual(faceIds(before));
    const upgraded = scoreScenario(word, after, await identityOf());
    process.stderr.write(
      `scenario (API, after switching to ${OTHER_EMBEDDER}): ${JSON.stringify({ enqueued: first.enqueued, ...upgraded })}\n`,
    );
    expect(upgraded).toMatchObject({ confirmedMoved: 0, rejectedBack: 0, namesLost: 0, namesDuplicated: 0 });
    expect(upgraded.newOfNamed).toBeGreaterThanOrEqual(20);
    expect(upgraded.precision).toBeGreaterThanOrEqual(0.99);
    expect(upgraded.recall).toBeGreaterThanOrEqual(0.9);
    // Idempotent: once migrated, running the command again queues nothing.
    expect(await migrate()).toMatchObject({ faces: first.faces, faces_current: first.faces, enqueued: 0 });
  }, 600_000);
});
