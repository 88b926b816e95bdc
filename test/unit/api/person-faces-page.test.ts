import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import type { FaceRecord, FaceStore } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiRouter } from '#api/router.ts';

// GET /people/{personId}/faces pages the person's face ids before reading any face: a page reads
// its own faces and makes their crop URLs only (the web app's first screen of a 10,000-face person),
// and walking the pages gives the person's faces in the order the store lists them, each once.
describe("a person's faces, page by page", () => {
  const USER = 'alice';
  // Ids out of order in the person, photos named so that string order is not insertion order.
  const photoIds = ['p10', 'p02', 'p33', 'p01', 'p20', 'p11', 'p03'];

  const setup = async () => {
    const store = new SqliteFaceStore(':memory:');
    const faceIds: string[] = [];
    for (const photoId of photoIds) {
      const faces: FaceRecord[] = [0, 1].map((k) => ({
        userId: USER,
        faceId: `${photoId}#00${k}`,
        photoId,
        box: [k * 20, 0, 10, 10],
        score: 0.9,
        landmarks: [
          [0, 0],
          [1, 0],
          [0.5, 0.5],
          [0, 1],
          [1, 1],
        ],
        quality: { sizePx: 40, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
        cropKey: `faces/${USER}/${photoId}-${k}.png`,
      }));
      await store.putPhoto({
        userId: USER,
        photoId,
        sourceKey: `${photoId}.jpg`,
        contentHash: photoId.padEnd(64, '0'),
        width: 100,
        height: 100,
        status: 'embedded',
        faceCount: 2,
        updatedAt: 1,
      });
      await store.replaceFaces(USER, photoId, faces);
      faceIds.push(...faces.map((f) => f.faceId));
    }
    // An id the person still lists whose photo is gone: skipped, not an error.
    const listed = [...faceIds.filter((id) => !id.startsWith('p33')), 'p99#000'].reverse();
    await store.replacePeople(USER, [
      { userId: USER, personId: 'A', faceIds: listed, coverFaceId: listed[0]!, cohesion: 0.8, updatedAt: 1 },
    ]);
    // Faces read, one by one (getFace) or by key in a batch (getFaces: each id counts).
    const reads = { listFaces: 0, getFace: 0, cropUrl: 0 };
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if ((prop === 'listFaces' || prop === 'getFace' || prop === 'getFaces') && typeof value === 'function') {
          return (...args: unknown[]) => {
            if (prop === 'getFaces') reads.getFace += (args[1] as readonly string[]).length;
            else reads[prop] += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as FaceStore;
    const route = createApiRouter({
      faces: counted,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => (reads.cropUrl++, `/crops/${k}`),
    });
    const get = async (query: Record<string, string>) => {
      const out = await route({ method: 'GET', path: '/people/A/faces', userId: USER, query });
      expect(out.status).toBe(200);
      return JSON.parse(out.body) as {
        faces: { faceId: string; cropUrl: string }[];
        nextCursor: string | null;
        person: { faceCount: number };
      };
    };
    const expected = (await store.listFaces(USER)).map((f) => f.faceId).filter((id) => listed.includes(id));
    return { get, reads, expected };
  };

  it('reads only the faces of the page asked for, never the whole library', async () => {
    const { get, reads } = await setup();
    const page = await get({ limit: '3' });
    expect(page.faces.map((f) => f.faceId)).toEqual(['p01#000', 'p01#001', 'p02#000']);
    expect(page.faces[0]!.cropUrl).toBe(`/crops/faces/${USER}/p01-0.png`);
    expect(reads).toEqual({ listFaces: 0, getFace: 3, cropUrl: 3 });
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it("walks every face of the person once, in the store's listing order, skipping ids with no face", async () => {
    const { get, expected } = await setup();
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get({ limit: '4', ...(cursor ? { cursor } : {}) });
      walked.push(...page.faces.map((f) => f.faceId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(expected);
    expect(walked).toHaveLength(12);
  });
});
