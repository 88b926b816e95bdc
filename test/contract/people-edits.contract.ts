import { describe, expect, it } from 'vitest';
import { EditConflictError, type FaceRecord, type FaceStore, type PersonRecord } from '#core/ports/face-store.ts';
import {
  mergePeople,
  moveFace,
  PeopleEditError,
  rejectFace,
  renamePerson,
  setPersonHidden,
  type PeopleEditDeps,
} from '#core/pipeline/people-edits.ts';

/** The people-edit rules, run against any FaceStore (SQLite `:memory:` in the unit suite, DynamoDB
 * Local in the integration suite): the same expectations hold for both stores. */

const face = (userId: string, photoId: string): FaceRecord => ({
  userId,
  photoId,
  faceId: `${photoId}#000`,
  box: [10, 20, 80, 96],
  score: 0.99,
  landmarks: [
    [30, 50],
    [70, 50],
    [50, 70],
    [35, 90],
    [65, 90],
  ],
  quality: { sizePx: 80, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
});
const person = (userId: string, personId: string, photos: string[]): PersonRecord => ({
  userId,
  personId,
  faceIds: photos.map((p) => `${p}#000`),
  coverFaceId: `${photos[0]}#000`,
  cohesion: 0.7,
  updatedAt: 1,
});

/** Two people (A: p1-p3, B: p4-p5) and one unassigned face (p6) for `userId`. */
export async function seedPeople(store: FaceStore, userId: string): Promise<void> {
  for (const p of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6']) {
    await store.putPhoto({
      userId,
      photoId: p,
      sourceKey: `${p}.jpg`,
      contentHash: p.padEnd(64, '0'),
      width: 100,
      height: 100,
      status: 'embedded',
      faceCount: 1,
      updatedAt: 1,
    });
    await store.replaceFaces(userId, p, [face(userId, p)]);
  }
  await store.replacePeople(userId, [person(userId, 'A', ['p1', 'p2', 'p3']), person(userId, 'B', ['p4', 'p5'])]);
}

let clockNow = 1_000;
const depsOf = (store: FaceStore): PeopleEditDeps => ({ people: store, clock: { now: () => ++clockNow } });
const facesOf = async (store: FaceStore, userId: string, personId: string): Promise<readonly string[] | undefined> =>
  (await store.getPerson(userId, personId))?.faceIds;

export function peopleEditContract(storeName: string, makeStore: () => Promise<FaceStore>): void {
  describe(`people edits on ${storeName}`, () => {
    it('merges a person into another: one id left, all faces confirmed, an alias for the old id', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      const merged = await mergePeople('u', 'B', 'A', depsOf(store));
      expect(merged.faceIds).toEqual(['p1#000', 'p2#000', 'p3#000', 'p4#000', 'p5#000']);
      expect(await store.getPerson('u', 'B')).toBeUndefined();
      expect([...((await store.getPerson('u', 'A'))?.confirmedFaceIds ?? [])].sort()).toEqual(merged.faceIds);
      expect(await store.listAliases('u')).toEqual([expect.objectContaining({ personId: 'B', intoPersonId: 'A' })]);
    });

    it('names a person; a name another person has merges them into that person', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      const named = await renamePerson('u', 'A', 'Ada', depsOf(store));
      expect(named.name).toBe('Ada');
      expect((await store.getPerson('u', 'A'))?.confirmedFaceIds).toEqual(['p1#000', 'p2#000', 'p3#000']);
      const same = await renamePerson('u', 'B', 'Ada', depsOf(store));
      expect(same.personId).toBe('A');
      expect(await store.getPerson('u', 'B')).toBeUndefined();
      expect((await store.listPeople('u')).filter((p) => p.name === 'Ada').map((p) => p.faceIds.length)).toEqual([5]);
      const cleared = await renamePerson('u', 'A', null, depsOf(store));
      expect(cleared.name).toBeUndefined();
    });

    it('hides and unhides a person', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      await setPersonHidden('u', 'B', true, depsOf(store));
      expect((await store.getPerson('u', 'B'))?.hidden).toBe(true);
      await setPersonHidden('u', 'B', false, depsOf(store));
      expect((await store.getPerson('u', 'B'))?.hidden).toBe(false);
    });

    it('moves a face: confirmed in the target, rejected from the person it left', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      await moveFace('u', 'p1#000', 'B', depsOf(store));
      expect(await facesOf(store, 'u', 'A')).toEqual(['p2#000', 'p3#000']);
      expect(await facesOf(store, 'u', 'B')).toEqual(['p1#000', 'p4#000', 'p5#000']);
      expect(await store.getFaceEdit('u', 'p1#000')).toEqual(
        expect.objectContaining({ confirmedPersonId: 'B', rejectedPersonIds: ['A'] }),
      );
      // An unassigned face moves into a person too.
      await moveFace('u', 'p6#000', 'A', depsOf(store));
      expect(await facesOf(store, 'u', 'A')).toEqual(['p2#000', 'p3#000', 'p6#000']);
    });

    it('takes a face out with "not this person" and keeps the person', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      expect(await rejectFace('u', 'p2#000', depsOf(store))).toEqual({
        personId: 'A',
        faceId: 'p2#000',
        removed: true,
      });
      expect(await facesOf(store, 'u', 'A')).toEqual(['p1#000', 'p3#000']);
      expect((await store.getFaceEdit('u', 'p2#000'))?.rejectedPersonIds).toEqual(['A']);
      expect(await store.personOfFace('u', 'p2#000')).toBeUndefined();
    });

    it('refuses unknown ids with not-found and changes nothing', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      const before = await store.listPeople('u');
      const deps = depsOf(store);
      for (const attempt of [
        () => renamePerson('u', 'nobody', 'X', deps),
        () => setPersonHidden('u', 'nobody', true, deps),
        () => mergePeople('u', 'nobody', 'A', deps),
        () => mergePeople('u', 'A', 'nobody', deps),
        () => moveFace('u', 'p9#000', 'A', deps),
        () => moveFace('u', 'p1#000', 'nobody', deps),
        () => rejectFace('u', 'p9#000', deps),
        () => rejectFace('u', 'p6#000', deps),
        () => renamePerson('v', 'A', 'X', deps),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ code: 'not-found' });
      }
      await expect(mergePeople('u', 'A', 'A', deps)).rejects.toBeInstanceOf(PeopleEditError);
      expect(await store.listPeople('u')).toEqual(before);
      expect(await store.listFaceEdits('u')).toEqual([]);
    });

    it('refuses a write guarded by a stale version', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      const a = (await store.getPerson('u', 'A'))!;
      await store.commitPeopleChange('u', {
        putPeople: [{ person: { ...a, name: 'first', version: 1 }, expectedVersion: 0 }],
      });
      await expect(
        store.commitPeopleChange('u', {
          putPeople: [{ person: { ...a, name: 'second', version: 1 }, expectedVersion: 0 }],
        }),
      ).rejects.toBeInstanceOf(EditConflictError);
      expect((await store.getPerson('u', 'A'))?.name).toBe('first');
    });

    it('applies every one of many parallel edits (retrying conflicts)', async () => {
      const store = await makeStore();
      await seedPeople(store, 'u');
      const deps = depsOf(store);
      // Four moves into B, a rename of B, and a hide of B, all at once.
      await Promise.all([
        moveFace('u', 'p1#000', 'B', deps),
        moveFace('u', 'p2#000', 'B', deps),
        moveFace('u', 'p3#000', 'B', deps),
        moveFace('u', 'p6#000', 'B', deps),
        renamePerson('u', 'B', 'Bea', deps),
        setPersonHidden('u', 'B', true, deps),
      ]);
      const b = (await store.getPerson('u', 'B'))!;
      expect(b.faceIds).toEqual(['p1#000', 'p2#000', 'p3#000', 'p4#000', 'p5#000', 'p6#000']);
      expect(b.name).toBe('Bea');
      expect(b.hidden).toBe(true);
      expect(await store.getPerson('u', 'A')).toBeUndefined();
      expect((await store.listFaceEdits('u')).map((e) => e.confirmedPersonId)).toEqual(['B', 'B', 'B', 'B']);
    });
  });
}
