import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB } from './setup/users.ts';

// Incremental assignment in the cloud: once a user's people exist, a new photo of a known person
// joins that person in the embed stage (provisional), so GET /people shows it before any clustering
// run; the next clustering run keeps it there (the same calibrated rule), no longer provisional.
const photosOf = (who: string) =>
  readdirSync(dataPath('lfw-120', who))
    .sort()
    .map((f) => ({ fileName: f, bytes: new Uint8Array(readFileSync(dataPath('lfw-120', who, f))) }));

describeWithData('embed stage: new faces join known people at once', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('people-embed-join');
  }, 120_000);
  afterAll(async () => p?.stop());

  interface FaceView {
    faceId: string;
    photoId: string;
    provisional: boolean;
  }
  const facesOf = async (personId: string): Promise<FaceView[]> =>
    (await p.api(BOB, 'GET', '/people/{personId}/faces', { personId })).body.faces as FaceView[];

  it('a new photo of a named person is in that person after embed, before clustering', async () => {
    const gore = photosOf('Al_Gore');
    for (const ph of [...gore.slice(0, 3), ...photosOf('Alan_Greenspan').slice(0, 3)])
      await p.upload(BOB, ph.fileName, ph.bytes);
    expect(await p.settle()).toEqual([]);
    const goreKeys = new Set(
      (await p.runtime.faces.listPhotos(BOB)).filter((ph) => ph.sourceKey.includes('Al_Gore')).map((ph) => ph.photoId),
    );
    const people = (await p.api(BOB, 'GET', '/people')).body.people as { personId: string }[];
    const withFaces = await Promise.all(people.map(async (x) => ({ ...x, faces: await facesOf(x.personId) })));
    const gorePerson = withFaces.find((x) => x.faces.filter((f) => goreKeys.has(f.photoId)).length === 3)!;
    expect(gorePerson).toBeDefined();
    const goreFaces = gorePerson.faces;
    expect(
      (await p.api(BOB, 'PATCH', '/people/{personId}', { personId: gorePerson.personId }, { name: 'Al Gore' })).status,
    ).toBe(200);

    // Two more photos of the same person (one of the named person's kind): detect, then embed only.
    const known = new Set(goreFaces.map((f) => f.photoId));
    const others = (await p.runtime.faces.listPhotos(BOB)).length;
    const next = gore.slice(3, 5);
    for (const ph of next) await p.upload(BOB, ph.fileName, ph.bytes);
    expect((await p.detect(await p.s3Events.drain())).batchItemFailures).toEqual([]);
    expect((await p.runtime.faces.listPhotos(BOB)).length).toBe(others + 2);
    expect((await p.embed(await p.embedQueue.drain())).batchItemFailures).toEqual([]);

    const joined = (await facesOf(gorePerson.personId)).filter((f) => !known.has(f.photoId));
    expect(new Set(joined.map((f) => f.photoId)).size).toBe(2);
    expect(joined.every((f) => f.provisional)).toBe(true);
    const listed = (await p.api(BOB, 'GET', '/people')).body.people as {
      personId: string;
      name: string | null;
      faceCount: number;
    }[];
    expect(listed.find((x) => x.personId === gorePerson.personId)).toMatchObject({
      name: 'Al Gore',
      faceCount: goreFaces.length + 2,
    });

    // The next full run decides them again: they stay (same rule), no longer provisional.
    expect(await p.settle()).toEqual([]);
    const after = await facesOf(gorePerson.personId);
    expect(after.filter((f) => joined.some((j) => j.faceId === f.faceId)).map((f) => f.provisional)).toEqual([
      false,
      false,
    ]);
  }, 240_000);
});
