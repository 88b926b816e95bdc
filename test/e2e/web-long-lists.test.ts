import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { cropKeyOf } from '#core/pipeline/keys.ts';
import type { FaceRecord, PersonRecord } from '#core/ports/face-store.ts';
import { chromiumRequirement, launchBrowser, startServe, watchedPage, type Served } from './web-helpers.ts';

/** Lists longer than one API page (1,000 items): the web app shows every person and counts every
 * photo, whether the server answers a request without `limit` with one page or the whole list (the
 * app asks with an explicit limit and follows `nextCursor`). A synthetic store: 1,050 people of one
 * face each, one photo per person, one photo still being analysed. */

const USER = 'local';
const PEOPLE = 1050;

async function makeStore(outDir: string): Promise<void> {
  const store = new SqliteFaceStore(join(outDir, 'rankface.db'));
  const png = await sharp({ create: { width: 112, height: 112, channels: 3, background: { r: 90, g: 120, b: 150 } } })
    .png()
    .toBuffer();
  const blobs = new FsBlobStore(join(outDir, 'blobs'));
  const people: PersonRecord[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const photoId = `photo-${String(i).padStart(5, '0')}`;
    const faceId = `${photoId}#000`;
    const cropKey = cropKeyOf(USER, faceId);
    await blobs.put(cropKey, new Uint8Array(png), 'image/png');
    const face: FaceRecord = {
      userId: USER,
      faceId,
      photoId,
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
      cropKey,
    };
    // The last photo is still being analysed (detected, not embedded): the progress banner counts it.
    await store.putPhoto({
      userId: USER,
      photoId,
      sourceKey: `${photoId}.jpg`,
      contentHash: photoId,
      width: 100,
      height: 100,
      status: i === PEOPLE - 1 ? 'detected' : 'embedded',
      faceCount: 1,
      updatedAt: 0,
    });
    await store.replaceFaces(USER, photoId, [face]);
    people.push({
      userId: USER,
      personId: `p_${String(i).padStart(5, '0')}`,
      faceIds: [face.faceId],
      coverFaceId: face.faceId,
      cohesion: 1,
      updatedAt: 0,
    });
  }
  await store.replacePeople(USER, people);
  store.close();
}

describe.runIf(chromiumRequirement.met)('web app: lists longer than one API page', () => {
  let root = '';
  let served: Served;
  let browser: Browser;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rankface-e2e-web-long-'));
    await makeStore(join(root, 'out'));
    served = await startServe(join(root, 'out'));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('shows every person and counts every photo past the first page', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(served.url);
    await page.locator('.people-grid [data-person-id]').first().waitFor();
    await expect(page.locator('.toolbar .count').textContent()).resolves.toBe(`${PEOPLE} of ${PEOPLE} people`);
    await expect(page.locator('.people-grid [data-person-id]').count()).resolves.toBe(PEOPLE);
    // The last person (fewest faces, then id) is past the first 1,000.
    await expect(
      page.locator(`.people-grid [data-person-id="p_${String(PEOPLE - 1).padStart(5, '0')}"]`).count(),
    ).resolves.toBe(1);
    await expect
      .poll(() => page.locator('.progress').textContent(), { timeout: 30_000 })
      .toContain(`${PEOPLE - 1} of ${PEOPLE} done`);
    expect(problems).toEqual([]);
  });
});
