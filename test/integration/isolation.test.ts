import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB, alicePhotos, bobPhotos } from './setup/users.ts';

// The caller is the authorizer's sub: Bob can neither see nor change Alice's people, photos or crops,
// and an upload URL only ever points into the caller's own prefix.
describe('user isolation', () => {
  let p: Pipeline;
  const alicePhotoIds: string[] = [];
  beforeAll(async () => {
    p = await startPipeline('isolation');
    for (const ph of alicePhotos().slice(0, 3))
      alicePhotoIds.push(photoIdOfKey(await p.upload(ALICE, ph.fileName, ph.bytes)));
    for (const ph of bobPhotos().slice(0, 2)) await p.upload(BOB, ph.fileName, ph.bytes);
    expect(await p.settle()).toEqual([]);
  });
  afterAll(async () => p?.stop());

  it("keeps Alice's people, photos and crops away from Bob", async () => {
    const alicePeople = (await p.api(ALICE, 'GET', '/people')).body.people;
    expect(alicePeople.length).toBeGreaterThan(0);
    const bobView = (await p.api(BOB, 'GET', '/people')).body.people.map((x: { personId: string }) => x.personId);
    for (const person of alicePeople) {
      expect(bobView).not.toContain(person.personId);
      expect((await p.api(BOB, 'GET', '/people/{personId}/faces', { personId: person.personId })).status).toBe(404);
      expect(
        (await p.api(BOB, 'PATCH', '/people/{personId}', { personId: person.personId }, { name: 'mine now' })).status,
      ).toBe(404);
      expect(
        (
          await p.api(
            BOB,
            'POST',
            '/people/{personId}/merge',
            { personId: person.personId },
            { otherPersonId: bobView[0] },
          )
        ).status,
      ).toBe(404);
    }
    for (const photoId of alicePhotoIds)
      expect((await p.api(BOB, 'GET', '/photos/{photoId}/faces', { photoId })).status).toBe(404);
    const aliceFace = (await p.api(ALICE, 'GET', '/people/{personId}/faces', { personId: alicePeople[0].personId }))
      .body.faces[0].faceId;
    expect((await p.api(BOB, 'POST', '/faces/{faceId}/not-person', { faceId: aliceFace })).status).toBe(404);
    expect(
      (await p.api(ALICE, 'GET', '/people')).body.people.map((x: { name: string | null }) => x.name),
    ).not.toContain('mine now');

    // Every crop URL Bob is given points into his own prefix.
    for (const personId of bobView) {
      for (const f of (await p.api(BOB, 'GET', '/people/{personId}/faces', { personId })).body.faces)
        expect(f.cropUrl).toContain(`/faces/${BOB}/`);
    }
    // No claim, no access; a user id in the path or body is never the caller.
    expect((await p.api(undefined, 'GET', '/people')).status).toBe(401);
  });

  it("issues upload URLs only for the caller's prefix and rejects objects placed under another user's prefix", async () => {
    const up = await p.api(
      BOB,
      'POST',
      '/uploads',
      {},
      { fileName: `../${ALICE}/evil.jpg`, contentType: 'image/jpeg', userId: ALICE },
    );
    expect(up.status).toBe(200);
    expect(up.body.key.startsWith(`uploads/${BOB}/`)).toBe(true);
    expect(up.body.key.slice(`uploads/${BOB}/`.length)).not.toContain('/');

    // The presigned PUT works and the upload flows through detection as Bob's.
    const bytes = bobPhotos()[2]!.bytes;
    const put = await fetch(up.body.url, { method: 'PUT', body: bytes, headers: up.body.headers });
    expect(put.status).toBe(200);
    // An object under Alice's prefix whose signed owner is Bob is refused by detect.
    const forged = await p.upload(ALICE, 'forged.jpg', bytes, { owner: BOB });
    expect(await p.settle()).toEqual([]);
    expect(await p.runtime.faces.getPhoto(ALICE, photoIdOfKey(forged))).toBeUndefined();
    expect((await p.runtime.faces.getPhoto(BOB, photoIdOfKey(up.body.key)))?.status).toBe('embedded');
  });
});
