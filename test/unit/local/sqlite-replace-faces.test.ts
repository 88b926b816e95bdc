import { afterEach, describe, expect, it } from 'vitest';
import { face, tempStore, vectorRecord } from './fixtures.ts';

describe('SqliteFaceStore.replaceFaces', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('is idempotent: replacing with the same faces keeps faces and their vectors', async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const faces = [face('u1', 'aaa', 0), face('u1', 'aaa', 1)];
    await t.store.replaceFaces('u1', 'aaa', faces);
    await t.store.putVectors(faces.map((f) => vectorRecord(f)));
    await t.store.replaceFaces('u1', 'aaa', faces);
    await t.store.replaceFaces('u1', 'aaa', faces);
    expect(await t.store.listFacesOfPhoto('u1', 'aaa')).toEqual(faces);
    expect((await t.store.listVectors('u1', 'faceplugin-arcface512')).map((v) => v.faceId)).toEqual(
      faces.map((f) => f.faceId),
    );
  });

  it('drops faces no longer present with their vectors, and vectors of faces whose box moved', async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const faces = [face('u1', 'aaa', 0), face('u1', 'aaa', 1), face('u1', 'aaa', 2)];
    const other = face('u1', 'bbb', 0);
    await t.store.replaceFaces('u1', 'aaa', faces);
    await t.store.replaceFaces('u1', 'bbb', [other]);
    await t.store.putVectors([...faces, other].map((f) => vectorRecord(f)));

    const moved = { ...faces[1]!, box: [1, 2, 3, 4] as [number, number, number, number] };
    await t.store.replaceFaces('u1', 'aaa', [faces[0]!, moved]);
    expect(await t.store.listFacesOfPhoto('u1', 'aaa')).toEqual([faces[0], moved]);
    expect((await t.store.listVectors('u1', 'faceplugin-arcface512')).map((v) => v.faceId)).toEqual([
      faces[0]!.faceId,
      other.faceId,
    ]);

    await t.store.replaceFaces('u1', 'aaa', []);
    expect(await t.store.listFacesOfPhoto('u1', 'aaa')).toEqual([]);
    expect(await t.store.listFaces('u1')).toEqual([other]);
  });

  it('refuses faces of another photo or user', async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    await expect(t.store.replaceFaces('u1', 'aaa', [face('u1', 'bbb', 0)])).rejects.toThrow(/belongs to/);
    await expect(t.store.replaceFaces('u1', 'aaa', [face('u2', 'aaa', 0)])).rejects.toThrow(/belongs to/);
    expect(await t.store.listFaces('u1')).toEqual([]);
  });
});
