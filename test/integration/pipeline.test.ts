import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB, alicePhotos, bobPhotos } from './setup/users.ts';

// Upload → detect → embed → scheduled cluster → API, for two users, through the real handlers on
// real S3 and DynamoDB emulators with real photos.
describe('serverless pipeline end to end', () => {
  let p: Pipeline;
  const identityOf = new Map<string, string>(); // photoId → identity
  const photosOf: Record<string, Set<string>> = { [ALICE]: new Set<string>(), [BOB]: new Set<string>() };

  beforeAll(async () => {
    p = await startPipeline('pipeline');
    for (const [user, photos] of [
      [ALICE, alicePhotos()],
      [BOB, bobPhotos()],
    ] as const) {
      for (const ph of photos) {
        const key = await p.upload(user, ph.fileName, ph.bytes);
        identityOf.set(photoIdOfKey(key), ph.identity);
        photosOf[user].add(photoIdOfKey(key));
      }
    }
    expect(await p.settle()).toEqual([]);
  });
  afterAll(async () => p?.stop());

  it('detects every upload, clears the clustering flags and serves each user their own people', async () => {
    for (const user of [ALICE, BOB]) {
      const { status, body } = await p.api(user, 'GET', '/photos');
      expect(status).toBe(200);
      expect(body.photos).toHaveLength(photosOf[user].size);
      for (const ph of body.photos) expect(ph.status).toBe('embedded');
    }
    expect(await p.runtime.faces.listUsersNeedingClustering()).toEqual([]);

    // Bob: at least two of his three people come back as one person each, holding 3+ of their photos.
    const bob = await p.api(BOB, 'GET', '/people');
    expect(bob.status).toBe(200);
    let recovered = 0;
    for (const person of bob.body.people) {
      const { body } = await p.api(BOB, 'GET', '/people/{personId}/faces', { personId: person.personId });
      const ids = new Set<string>(body.faces.map((f: { photoId: string }) => identityOf.get(f.photoId)));
      for (const f of body.faces) expect(photosOf[BOB].has(f.photoId)).toBe(true);
      if (ids.size === 1 && body.faces.length >= 3) recovered++;
    }
    expect(recovered).toBeGreaterThanOrEqual(2);

    // Alice: people whose faces are all hers, with crops that download as PNG.
    const alice = await p.api(ALICE, 'GET', '/people');
    const multi = alice.body.people.filter((x: { faceCount: number }) => x.faceCount >= 2);
    expect(multi.length).toBeGreaterThanOrEqual(2);
    const { body } = await p.api(ALICE, 'GET', '/people/{personId}/faces', { personId: multi[0].personId });
    for (const f of body.faces) expect(photosOf[ALICE].has(f.photoId)).toBe(true);
    const crop = await fetch(body.faces[0].cropUrl);
    expect(crop.status).toBe(200);
    expect(
      Buffer.from(await crop.arrayBuffer())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
  });

  it('keeps person ids and names across a re-clustering', async () => {
    const before = (await p.api(BOB, 'GET', '/people')).body.people;
    const top = before[0];
    expect(
      (await p.api(BOB, 'PATCH', '/people/{personId}', { personId: top.personId }, { name: 'Top person' })).status,
    ).toBe(200);
    await p.runtime.faces.markNeedsClustering(BOB); // as a new upload would
    expect(await p.settle()).toEqual([]);
    const after = (await p.api(BOB, 'GET', '/people')).body.people;
    expect(after.map((x: { personId: string }) => x.personId).sort()).toEqual(
      before.map((x: { personId: string }) => x.personId).sort(),
    );
    expect(after.find((x: { personId: string }) => x.personId === top.personId)?.name).toBe('Top person');
  });

  it('honours a "not this person" edit in the next clustering run', async () => {
    const top = (await p.api(BOB, 'GET', '/people')).body.people[0];
    const faces = (await p.api(BOB, 'GET', '/people/{personId}/faces', { personId: top.personId })).body.faces.map(
      (f: { faceId: string }) => f.faceId as string,
    );
    const odd = faces[faces.length - 1];
    expect((await p.api(BOB, 'POST', '/faces/{faceId}/not-person', { faceId: odd })).status).toBe(200);
    expect(await p.runtime.faces.listUsersNeedingClustering()).toContain(BOB); // the edit requests a run
    expect(await p.settle()).toEqual([]);
    const people = (await p.api(BOB, 'GET', '/people')).body.people;
    for (const person of people) {
      const members: string[] = (
        await p.api(BOB, 'GET', '/people/{personId}/faces', { personId: person.personId })
      ).body.faces.map((f: { faceId: string }) => f.faceId);
      if (members.includes(odd)) expect(members.filter((m) => faces.includes(m) && m !== odd)).toEqual([]);
    }
  });

  const facesOf = async (user: string, personId: string): Promise<{ faceId: string; photoId: string }[]> =>
    (await p.api(user, 'GET', '/people/{personId}/faces', { personId })).body.faces;

  it('keeps a moved face with its new person through the next clustering run', async () => {
    const [a, b] = (await p.api(BOB, 'GET', '/people')).body.people;
    expect(b).toBeDefined();
    const moved = (await facesOf(BOB, a.personId))[0]!.faceId;
    expect(
      (await p.api(BOB, 'POST', '/faces/{faceId}/move', { faceId: moved }, { toPersonId: b.personId })).status,
    ).toBe(200);
    expect(await p.settle()).toEqual([]);
    expect((await facesOf(BOB, b.personId)).map((f) => f.faceId)).toContain(moved);
    expect((await facesOf(BOB, a.personId)).map((f) => f.faceId)).not.toContain(moved);
  });

  it('keeps a merge through the next clustering run', async () => {
    // Two of Alice's people who never share a photo (faces of one photo can never be one person).
    const people = (await p.api(ALICE, 'GET', '/people')).body.people;
    type WithFaces = { personId: string; faces: { faceId: string; photoId: string }[] };
    const withFaces: WithFaces[] = await Promise.all(
      people.map(async (x: { personId: string }) => ({
        personId: x.personId,
        faces: await facesOf(ALICE, x.personId),
      })),
    );
    let pair: [WithFaces, WithFaces] | undefined;
    for (const x of withFaces)
      for (const y of withFaces) {
        if (!pair && x.personId < y.personId && !x.faces.some((f) => y.faces.some((g) => g.photoId === f.photoId)))
          pair = [x, y];
      }
    expect(pair).toBeDefined();
    const [a, b] = pair!;
    const merged = await p.api(
      ALICE,
      'POST',
      '/people/{personId}/merge',
      { personId: a.personId },
      { otherPersonId: b.personId },
    );
    expect(merged.status).toBe(200);
    expect(merged.body.person.faceCount).toBe(a.faces.length + b.faces.length);
    expect(await p.settle()).toEqual([]);
    expect(new Set((await facesOf(ALICE, a.personId)).map((f) => f.faceId))).toEqual(
      new Set([...a.faces, ...b.faces].map((f) => f.faceId)),
    );
    expect((await p.api(ALICE, 'GET', '/people/{personId}/faces', { personId: b.personId })).status).toBe(404);
  });

  it('a deleted upload takes its faces with it', async () => {
    const photos = (await p.api(BOB, 'GET', '/photos')).body.photos;
    const victim = photos[0];
    await p.remove(victim.sourceKey);
    expect(await p.settle()).toEqual([]);
    expect((await p.api(BOB, 'GET', '/photos/{photoId}/faces', { photoId: victim.photoId })).status).toBe(404);
    const people = (await p.api(BOB, 'GET', '/people')).body.people;
    for (const person of people) {
      const faces = (await p.api(BOB, 'GET', '/people/{personId}/faces', { personId: person.personId })).body.faces;
      for (const f of faces) expect(f.photoId).not.toBe(victim.photoId);
    }
  });
});
