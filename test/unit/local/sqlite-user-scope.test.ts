import { afterEach, describe, expect, it } from 'vitest';
import { face, person, photo, tempStore, vectorRecord } from './fixtures.ts';

describe('SqliteFaceStore user scoping', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it("never shows or touches one user's records through another user, even with equal ids", async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const s = t.store;
    for (const user of ['alice', 'bob']) {
      await s.putPhoto(photo(user, 'same'));
      const faces = [face(user, 'same', 0)];
      await s.replaceFaces(user, 'same', faces);
      await s.putVectors(faces.map((f) => vectorRecord(f, 'm', user === 'alice' ? 1 : 2)));
      await s.replacePeople(user, [person(user, 'p_same', [faces[0]!.faceId], { name: user })]);
      await s.addEdit(user, { kind: 'cannot-link', faceIds: [`${user}-x`, `${user}-y`] });
    }
    await s.deletePhoto('bob', 'same');
    await s.replacePeople('bob', []);

    expect((await s.listPhotos('alice')).map((p) => p.userId)).toEqual(['alice']);
    expect(await s.getPhoto('bob', 'same')).toBeUndefined();
    expect((await s.listFaces('alice')).map((f) => f.userId)).toEqual(['alice']);
    expect(await s.listFaces('bob')).toEqual([]);
    const [va] = await s.listVectors('alice', 'm');
    expect(va!.userId).toBe('alice');
    expect(Array.from(va!.vector)).toEqual(Array.from(vectorRecord(face('alice', 'same', 0), 'm', 1).vector));
    expect(await s.listVectors('bob', 'm')).toEqual([]);
    expect((await s.listPeople('alice')).map((p) => p.name)).toEqual(['alice']);
    expect(await s.listPeople('bob')).toEqual([]);
    expect(await s.listEdits('alice')).toEqual([{ kind: 'cannot-link', faceIds: ['alice-x', 'alice-y'] }]);
    expect(await s.listEdits('bob')).toEqual([{ kind: 'cannot-link', faceIds: ['bob-x', 'bob-y'] }]);
    await expect(s.replacePeople('alice', [person('bob', 'p', ['x'])])).rejects.toThrow(/belongs to/);
  });
});
