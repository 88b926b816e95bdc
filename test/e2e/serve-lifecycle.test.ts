import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { startServe } from './web-helpers.ts';

/** `rankface serve`'s life: it binds 127.0.0.1 unless told otherwise, prints its URL, serves the app
 * at `/` and the API under `/api`, and Ctrl-C (SIGINT) stops it cleanly: exit code 0, port closed.
 * A synthetic store of one person (no models needed). */

const USER = 'local';

async function makeStore(outDir: string): Promise<void> {
  const store = new SqliteFaceStore(join(outDir, 'rankface.db'));
  const faceId = 'photo-1#000';
  await store.putPhoto({
    userId: USER,
    photoId: 'photo-1',
    sourceKey: 'photo-1.jpg',
    contentHash: 'photo-1',
    width: 100,
    height: 100,
    status: 'embedded',
    faceCount: 1,
    updatedAt: 0,
  });
  await store.replaceFaces(USER, 'photo-1', [
    {
      userId: USER,
      faceId,
      photoId: 'photo-1',
      box: [10, 10, 40, 40],
      score: 0.9,
      landmarks: [
        [0, 0],
        [1, 0],
        [0.5, 0.5],
        [0, 1],
        [1, 1],
      ],
      quality: { sizePx: 40, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
    },
  ]);
  await store.replacePeople(USER, [
    { userId: USER, personId: 'p_one', faceIds: [faceId], coverFaceId: faceId, cohesion: 1, updatedAt: 0 },
  ]);
  store.close();
}

describe('rankface serve: bind, URL, Ctrl-C', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-serve-life-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('binds 127.0.0.1 by default, serves app and API, and exits 0 on SIGINT with the port closed', async () => {
    await makeStore(join(root, 'out'));
    const served = await startServe(join(root, 'out'));
    expect(new URL(served.url).hostname).toBe('127.0.0.1');
    const page = await fetch(served.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('app.js');
    const people = (await (await fetch(new URL('api/people', served.url))).json()) as {
      people: { personId: string }[];
    };
    expect(people.people.map((p) => p.personId)).toEqual(['p_one']);

    await expect(served.stop()).resolves.toBe(0);
    await expect(fetch(new URL('api/people', served.url))).rejects.toThrow();
  });
});
