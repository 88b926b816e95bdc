import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '#test/helpers/data.ts';
import { nameAndCorrect, scenarioPhotos, scoreScenario, type ScenarioFace, type ScenarioState, type ScenarioUser } from '#test/helpers/people-scenario.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB } from './setup/users.ts';

// Issue 12's acceptance scenario through the API on the emulators (real handlers, S3, DynamoDB
// Local, SQS; test/helpers/people-scenario.ts): half of the photos uploaded and processed, everyone
// named, mistakes corrected with PATCH /people, not-person and move, the other half uploaded and
// processed (embed joins known people, then the scheduled clustering run): nothing the user said is
// undone, and the new photos of named people get the right name.
describeWithData('people scenario through the API', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('people-scenario');
  }, 120_000);
  afterAll(async () => p?.stop());

  const all = scenarioPhotos();
  const identityOfKey = new Map<string, string>();
  const upload = async (half: 1 | 2): Promise<void> => {
    for (const ph of all.filter((x) => x.half === half)) identityOfKey.set(await p.upload(BOB, ph.file, new Uint8Array(readFileSync(ph.path))), ph.identity);
    expect(await p.settle()).toEqual([]);
  };
  const identityOf = async (): Promise<(photoId: string) => string | undefined> => {
    const byPhoto = new Map((await p.runtime.faces.listPhotos(BOB)).map((ph) => [ph.photoId, identityOfKey.get(ph.sourceKey)]));
    return (photoId) => byPhoto.get(photoId);
  };

  interface ApiFace { faceId: string; photoId: string; box: number[] }
  const face = (f: ApiFace): ScenarioFace => ({ faceId: f.faceId, photo: f.photoId, area: f.box[2]! * f.box[3]! });
  const ok = async (method: string, resource: string, params: Record<string, string>, body?: unknown) => {
    const res = await p.api(BOB, method, resource, params, body);
    expect(res.status, `${method} ${resource} ${JSON.stringify(res.body)}`).toBe(200);
    return res.body;
  };
  const state = async (): Promise<ScenarioState> => {
    const people = (await ok('GET', '/people', {})).people as { personId: string; name: string | null }[];
    const withFaces = await Promise.all(people.map(async (x) => ({ id: x.personId, name: x.name, faces: ((await ok('GET', '/people/{personId}/faces', { personId: x.personId })).faces as ApiFace[]).map(face) })));
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
  }, 400_000);
});
