import { afterEach, describe, expect, it } from 'vitest';
import { face, photo, tempStore, vectorRecord } from './fixtures.ts';

describe('SqliteFaceStore.deletePhoto', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('removes the photo, its faces and its vectors of every model, and nothing else', async () => {
    const t = tempStore();
    cleanup = t.cleanup;
    for (const id of ['aaa', 'bbb']) {
      await t.store.putPhoto(photo('u1', id));
      const faces = [face('u1', id, 0), face('u1', id, 1)];
      await t.store.replaceFaces('u1', id, faces);
      await t.store.putVectors(faces.flatMap((f) => [vectorRecord(f, 'model-a'), vectorRecord(f, 'model-b')]));
    }
    await t.store.deletePhoto('u1', 'aaa');
    await t.store.deletePhoto('u1', 'aaa'); // idempotent

    expect(await t.store.getPhoto('u1', 'aaa')).toBeUndefined();
    expect((await t.store.listPhotos('u1')).map((p) => p.photoId)).toEqual(['bbb']);
    expect(await t.store.listFacesOfPhoto('u1', 'aaa')).toEqual([]);
    expect((await t.store.listFaces('u1')).map((f) => f.photoId)).toEqual(['bbb', 'bbb']);
    for (const model of ['model-a', 'model-b']) {
      expect((await t.store.listVectors('u1', model)).map((v) => v.photoId)).toEqual(['bbb', 'bbb']);
    }
  });
});
