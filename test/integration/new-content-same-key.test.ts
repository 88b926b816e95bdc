import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// Issue 13 item 7: a photo id derived from the key alone let a new photo uploaded under an old key
// inherit the old faces' ids, and with them the edits made on those faces (not-this-person,
// moves). Face ids follow the content: new content, new ids; the same content again, the same ids.
describe('new content under an old key', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('new-content');
  });
  afterAll(async () => p?.stop());

  const faceIdsOf = async (key: string): Promise<string[]> =>
    (await p.runtime.faces.listFacesOfPhoto(BOB, photoIdOfKey(key))).map((f) => f.faceId).sort();

  it('gives the new content new face ids, so edits of the old faces do not follow the key', async () => {
    const photos = bobPhotos(); // three people, four photos each
    const first = photos[0]!;
    const other = photos.find((x) => x.identity !== first.identity)!;
    for (const x of photos.slice(1, 4)) await p.upload(BOB, x.fileName, x.bytes);
    const key = await p.upload(BOB, 'IMG_0001.jpg', first.bytes);
    expect(await p.settle()).toEqual([]);
    const oldIds = await faceIdsOf(key);
    expect(oldIds.length).toBeGreaterThan(0);

    // The user says the old face is not its person: a face-keyed edit.
    const person = (await p.runtime.faces.listPeople(BOB)).find((x) => x.faceIds.includes(oldIds[0]!));
    expect(person).toBeDefined();
    const not = await p.api(BOB, 'POST', '/faces/{faceId}/not-person', { faceId: oldIds[0]! });
    expect(not.status).toBe(200);

    // Another person's photo replaces the content of the same key.
    await p.upload(BOB, 'IMG_0001.jpg', other.bytes);
    expect(await p.settle()).toEqual([]);
    const newIds = await faceIdsOf(key);
    expect(newIds.length).toBeGreaterThan(0);
    expect(newIds.filter((id) => oldIds.includes(id))).toEqual([]);
    const edits = await p.runtime.faces.listFaceEdits(BOB);
    expect(edits.filter((e) => newIds.includes(e.faceId))).toEqual([]);

    // The same content again: the same ids (idempotent).
    await p.upload(BOB, 'IMG_0001.jpg', other.bytes);
    expect(await p.settle()).toEqual([]);
    expect(await faceIdsOf(key)).toEqual(newIds);
  });
});
