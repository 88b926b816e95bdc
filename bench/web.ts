/** `npm run bench:web`: how fast the People web app shows a person's first screen, on a synthetic
 * store (no models needed): one person with RANKFACE_BENCH_FACES faces (default 10,000) and one with
 * 100, served by the real `rankface serve`, opened in headless Chromium (Debian's package).
 * "First screen" = from navigation start until every face tile on screen is in the DOM with its
 * crop decoded. Prints a table (median of RANKFACE_BENCH_RUNS fresh page loads, default 5). */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import type { FaceRecord, PersonRecord } from '#core/ports/face-store.ts';
import { launchBrowser, startServe } from '../test/e2e/web-helpers.ts';

const USER = 'local';
const BIG = Number(process.env.RANKFACE_BENCH_FACES ?? 10_000);
const RUNS = Number(process.env.RANKFACE_BENCH_RUNS ?? 5);
const DISTINCT_CROPS = 64;

async function writeCrops(blobs: FsBlobStore): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < DISTINCT_CROPS; i++) {
    const png = await sharp({
      create: {
        width: 112,
        height: 112,
        channels: 3,
        background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 },
      },
    })
      .png()
      .toBuffer();
    const key = `faces/${USER}/bench/${i}.png`;
    await blobs.put(key, new Uint8Array(png), 'image/png');
    keys.push(key);
  }
  return keys;
}

/** A store with two people (BIG faces and 100 faces), one photo per 10 faces. */
async function makeStore(outDir: string): Promise<{ big: string; small: string }> {
  const store = new SqliteFaceStore(join(outDir, 'rankface.db'));
  const crops = await writeCrops(new FsBlobStore(join(outDir, 'blobs')));
  const people: PersonRecord[] = [];
  for (const [personId, count] of [
    ['p_bench_big', BIG],
    ['p_bench_small', 100],
  ] as const) {
    const faceIds: string[] = [];
    for (let photo = 0; photo * 10 < count; photo++) {
      const photoId = `${personId}-${String(photo).padStart(6, '0')}`;
      const faces: FaceRecord[] = [];
      for (let k = 0; k < 10 && photo * 10 + k < count; k++) {
        const faceId = `${photoId}#${String(k).padStart(3, '0')}`;
        faceIds.push(faceId);
        faces.push({
          userId: USER,
          faceId,
          photoId,
          box: [k * 50, 10, 40, 40],
          score: 0.9,
          landmarks: [
            [0, 0],
            [1, 0],
            [0.5, 0.5],
            [0, 1],
            [1, 1],
          ],
          quality: { sizePx: 40, sharpness: 100, yaw: 0, pitch: 0, roll: 0 },
          cropKey: crops[(photo * 10 + k) % crops.length]!,
        });
      }
      await store.putPhoto({
        userId: USER,
        photoId,
        sourceKey: `${photoId}.jpg`,
        contentHash: photoId,
        width: 1000,
        height: 100,
        status: 'embedded',
        faceCount: faces.length,
        updatedAt: 0,
      });
      await store.replaceFaces(USER, photoId, faces);
    }
    people.push({ userId: USER, personId, faceIds, coverFaceId: faceIds[0]!, cohesion: 0.8, updatedAt: 0 });
  }
  await store.replacePeople(USER, people);
  store.close();
  return { big: 'p_bench_big', small: 'p_bench_small' };
}

/** Runs in the page (a function, not a string: the app's CSP forbids eval). */
interface ProbeEl {
  getBoundingClientRect(): { top: number };
  querySelector(s: string): { complete: boolean; naturalWidth: number } | null;
}
/** Each probe returns the page's clock (ms since navigation start) when its condition first holds,
 * read in the page itself, so the bench's own round trips to the browser are not counted. */
const firstScreenShown = (): number | false => {
  const g = globalThis as unknown as {
    document: { querySelectorAll(s: string): ArrayLike<ProbeEl> };
    innerHeight: number;
    performance: { now(): number };
  };
  const onScreen = Array.from(g.document.querySelectorAll('.face-grid [data-face-id]')).filter(
    (t) => t.getBoundingClientRect().top < g.innerHeight,
  );
  const shown =
    onScreen.length > 0 &&
    onScreen.every((t) => {
      const img = t.querySelector('img');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
  return shown ? g.performance.now() : false;
};
const tilesShown = (): number | false => {
  const g = globalThis as unknown as {
    document: { querySelector(s: string): unknown };
    performance: { now(): number };
  };
  return g.document.querySelector('.face-grid [data-face-id]') !== null ? g.performance.now() : false;
};
/** When the person's faces arrived from the API (Resource Timing), ms since navigation start. */
const facesFetched = (): number => {
  const perf = (
    globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string; responseEnd: number }[] } }
  ).performance;
  return perf.getEntriesByType('resource').find((e) => /\/api\/people\/[^/]+\/faces/.test(e.name))?.responseEnd ?? NaN;
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = mkdtempSync(join(tmpdir(), 'rankface-bench-web-'));
const out = join(root, 'out');
const ids = await makeStore(out);
const served = await startServe(out);
const browser = await launchBrowser();
try {
  const rows: { person: string; faces: number; ms: number[]; tilesMs: number[]; apiMs: number[]; dom: number }[] = [];
  for (const [personId, faces] of [
    [ids.small, 100],
    [ids.big, BIG],
  ] as const) {
    const ms: number[] = [];
    const tilesMs: number[] = [];
    const apiMs: number[] = [];
    let dom = 0;
    // Run 0 in a fresh browser context (cold: no cached crops); later runs share one context
    // (a user coming back: crops are served with max-age=3600).
    const warm = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    for (let run = 0; run < RUNS; run++) {
      const page = run === 0 ? await browser.newPage({ viewport: { width: 1280, height: 900 } }) : await warm.newPage();
      await page.goto(`${served.url}#/people/${personId}`);
      tilesMs.push(
        (await (
          await page.waitForFunction(tilesShown, undefined, { polling: 'raf', timeout: 60_000 })
        ).jsonValue()) as number,
      );
      ms.push(
        (await (
          await page.waitForFunction(firstScreenShown, undefined, { polling: 'raf', timeout: 60_000 })
        ).jsonValue()) as number,
      );
      apiMs.push(await page.evaluate(facesFetched));
      dom = await page.locator('.face-grid [data-face-id]').count();
      await page.close();
    }
    await warm.close();
    rows.push({ person: personId, faces, ms, tilesMs, apiMs, dom });
  }
  console.log(
    `\nPerson page, first screen (navigation start → on-screen tiles with decoded crops), 1280x900; cold = fresh browser context, warm = median of ${RUNS - 1} reloads in one context:\n`,
  );
  console.log(
    '| faces | faces API response end, warm ms | first tiles in DOM, warm ms | first screen with crops, warm ms | first screen, cold ms | tiles in DOM |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const w = (xs: number[]): string => median(xs.slice(1)).toFixed(0);
    console.log(`| ${r.faces} | ${w(r.apiMs)} | ${w(r.tilesMs)} | ${w(r.ms)} | ${r.ms[0]!.toFixed(0)} | ${r.dom} |`);
  }
  console.log(
    `\nmachine load (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} on 2 cores`,
  );
  console.log(
    `\nratio ${BIG} / 100 faces (warm first screen): ${(median(rows[1]!.ms.slice(1)) / median(rows[0]!.ms.slice(1))).toFixed(2)}x`,
  );
} finally {
  await browser.close();
  await served.stop();
  rmSync(root, { recursive: true, force: true });
}
