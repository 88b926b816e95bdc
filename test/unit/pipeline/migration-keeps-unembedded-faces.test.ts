import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { systemClock } from '#core/ports/clock.ts';
import type { FaceRecord, VectorRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { clusterUser, defaultClusterer } from '#core/pipeline/index.ts';
import { planEmbedderMigration } from '#core/pipeline/migrate-embedder.ts';
import { face, person, photo } from '../local/fixtures.ts';

// A model upgrade half done (issue 12): some faces have a vector of the new model version, the rest
// only the old one. A clustering run then compares new vectors only, and every face still waiting
// for its new vector stays in its person: no face, name or person id is lost; a face the old
// model alone knows joins nobody.
const USER = 'u';
const MODEL = 'm';

/** A unit vector near axis `axis` (8-D), a little different per seed. */
function near(axis: number, seed: number): Float32Array {
  const v = new Float32Array(8).map((_, i) => (i === axis ? 1 : 0.02 * Math.sin(seed * (i + 1))));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const vec = (f: FaceRecord, modelVersion: string, axis: number, seed: number): VectorRecord => ({
  userId: USER,
  faceId: f.faceId,
  photoId: f.photoId,
  modelId: MODEL,
  modelVersion,
  vector: near(axis, seed),
});

describe('a clustering run in the middle of a model upgrade', () => {
  it('keeps faces without a vector of the active model in their person, and compares new vectors only', async () => {
    const store = new SqliteFaceStore(':memory:');
    const ann = ['a0', 'a1', 'a2', 'a3'].map((p) => face(USER, p, 0));
    const bob = ['b0', 'b1', 'b2'].map((p) => face(USER, p, 0));
    const stray = face(USER, 'c0', 0);
    for (const f of [...ann, ...bob, stray]) {
      await store.putPhoto(photo(USER, f.photoId, { faceCount: 1 }));
      await store.replaceFaces(USER, f.photoId, [f]);
    }
    const ids = (fs: FaceRecord[]): string[] => fs.map((f) => f.faceId).sort();
    await store.replacePeople(USER, [
      person(USER, 'p_ann', ids(ann), { name: 'Ann', confirmedFaceIds: ids(ann) }),
      person(USER, 'p_bob', ids(bob)),
    ]);
    // Old model: everyone, the stray face close to Ann. New model: only two of Ann's and two of Bob's.
    await store.putVectors([
      ...ann.map((f, i) => vec(f, 'old', 0, i)),
      ...bob.map((f, i) => vec(f, 'old', 1, i)),
      vec(stray, 'old', 0, 9),
    ]);
    await store.putVectors([
      vec(ann[0]!, 'new', 2, 1),
      vec(ann[1]!, 'new', 2, 2),
      vec(bob[0]!, 'new', 3, 1),
      vec(bob[1]!, 'new', 3, 2),
    ]);

    const plan = await planEmbedderMigration(USER, { modelId: MODEL, modelVersion: 'new' }, { faces: store });
    expect(plan).toEqual({ faces: 8, current: 4, photoIds: ['a2', 'a3', 'b2', 'c0'] });

    const out = await clusterUser(USER, {
      faces: store,
      clock: systemClock,
      logger: silentLogger,
      cluster: defaultClusterer,
      modelId: MODEL,
      modelVersion: 'new',
    });
    const byId = new Map(out.people.map((p) => [p.personId, p]));
    expect(byId.get('p_ann')).toMatchObject({ name: 'Ann', faceIds: ids(ann) });
    expect(byId.get('p_bob')?.faceIds).toEqual(ids(bob));
    expect(out.people.flatMap((p) => p.faceIds)).not.toContain(stray.faceId);
    expect(out.faces).toBe(4); // new vectors only
    expect(out.awaitingEmbedding).toBe(3);
    expect(out.churn.confirmed_changed).toBe(0);
    store.close();
  });
});
