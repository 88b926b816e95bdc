import { afterEach, describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { face, person, photo, tempStore, vectorRecord } from './fixtures.ts';

describe('SqliteFaceStore round trip', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('returns photos, faces, vectors (bit-exact), people and edits as written, after reopening the file', async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    const p = photo('u1', 'aaa');
    const failed = photo('u1', 'bbb', {
      status: 'error',
      faceCount: 0,
      error: { code: 'corrupt', message: 'bad JPEG' },
    });
    const { cropKey: _none, ...withoutCrop } = face('u1', 'aaa', 1);
    const faces = [face('u1', 'aaa', 0), withoutCrop];
    const vectors = faces.map((f, i) => vectorRecord(f, 'faceplugin-arcface512', i + 1));
    const people = [person('u1', 'p_1', [faces[0]!.faceId, faces[1]!.faceId], { name: 'Ann <&> "Bo"', hidden: false })];
    await t.store.putPhoto(p);
    await t.store.putPhoto(failed);
    await t.store.replaceFaces('u1', 'aaa', faces);
    await t.store.putVectors(vectors);
    await t.store.replacePeople('u1', people);
    await t.store.addEdit('u1', { kind: 'must-link', faceIds: [faces[0]!.faceId, faces[1]!.faceId] });
    await t.store.addEdit('u1', { kind: 'not-person', faceId: faces[0]!.faceId, personFaceIds: [faces[1]!.faceId] });
    t.store.close();

    const store = new SqliteFaceStore(t.file);
    cleanup = () => {
      store.close();
      t.cleanup();
    };
    expect(await store.getPhoto('u1', 'aaa')).toEqual(p);
    expect(await store.listPhotos('u1')).toEqual([p, failed]);
    expect(await store.listFaces('u1')).toEqual(faces);
    expect(await store.listFacesOfPhoto('u1', 'aaa')).toEqual(faces);
    const back = await store.listVectors('u1', 'faceplugin-arcface512');
    expect(back.map((v) => v.faceId)).toEqual(vectors.map((v) => v.faceId));
    back.forEach((v, i) => {
      expect(v.vector).toBeInstanceOf(Float32Array);
      // Compare the bytes: toEqual on floats would accept -0 for 0.
      expect(
        Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength).equals(
          Buffer.from(vectors[i]!.vector.buffer),
        ),
      ).toBe(true);
    });
    expect(await store.listVectors('u1', 'other-model')).toEqual([]);
    expect(await store.listPeople('u1')).toEqual(people);
    expect(await store.listEdits('u1')).toEqual([
      { kind: 'must-link', faceIds: [faces[0]!.faceId, faces[1]!.faceId] },
      { kind: 'not-person', faceId: faces[0]!.faceId, personFaceIds: [faces[1]!.faceId] },
    ]);
    expect(store.file).toBe(t.file);
  });
});
