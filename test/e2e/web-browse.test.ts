import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '#test/helpers/data.ts';
import { makeBbtFolder, readPeople, runCluster } from './cluster-helpers.ts';
import {
  apiGet,
  chromiumRequirement,
  imageWidths,
  launchBrowser,
  screenshotPath,
  startServe,
  watchedPage,
  type ApiFace,
  type ApiPerson,
  type Served,
} from './web-helpers.ts';

/** `rankface serve` on real photos: the web app's grid shows every person the API has (cover crops
 * load), opening a person shows all its faces, and the unassigned and low-quality views list the
 * faces people.json lists, with no page errors.
 * Screenshots: test-artifacts/web-grid.png, web-person.png, web-unassigned.png. */

describeWithData(
  'rankface serve: browse people in a browser',
  () => {
    let root = '';
    let served: Served;
    let browser: Browser;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'rankface-e2e-web-browse-'));
      makeBbtFolder(join(root, 'photos'));
      await runCluster(join(root, 'photos'), join(root, 'out'), ['--workers', '1']);
      served = await startServe(join(root, 'out'));
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await served?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('shows every person, then every face of the person opened', async () => {
      const { people } = await apiGet<{ people: ApiPerson[] }>(served.url, '/people');
      expect(people.length).toBeGreaterThanOrEqual(6);
      const { page, problems } = await watchedPage(browser);
      await page.goto(served.url);
      const cards = page.locator('.people-grid [data-person-id]');
      await cards.first().waitFor();
      await expect(cards.count()).resolves.toBe(people.length);
      const ids = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-person-id')));
      expect(new Set(ids)).toEqual(new Set(people.map((p) => p.personId)));
      await expect(page.getByRole('link', { name: /^Person 1, \d+ faces$/ }).count()).resolves.toBe(1);
      const covers = await imageWidths(page, '.people-grid img.cover');
      expect(covers.filter((w) => w === 0)).toEqual([]);
      await page.screenshot({ path: screenshotPath('web-grid.png'), fullPage: true });

      // Keyboard: focus the first card, arrow right, Enter opens the second person.
      await cards.first().locator('a').focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      const second = people[1]!;
      await page.locator(`section.person-page[data-person-id="${second.personId}"]`).waitFor();
      const { faces } = await apiGet<{ faces: ApiFace[] }>(served.url, `/people/${second.personId}/faces`);
      const tiles = page.locator('.face-grid [data-face-id]');
      await tiles.first().waitFor();
      await expect(tiles.count()).resolves.toBe(faces.length);
      // A function, not a string: the app's CSP (script-src 'self') forbids evaluating strings.
      await page.waitForFunction(() =>
        Array.from(
          (
            globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ complete: boolean }> } }
          ).document.querySelectorAll('.face-grid img'),
        ).every((i) => i.complete),
      );
      const widths = await imageWidths(page, '.face-grid img');
      expect(widths.filter((w) => w === 0)).toEqual([]);
      await expect(page.getByRole('textbox', { name: 'Name', exact: true }).count()).resolves.toBe(1);
      await page.screenshot({ path: screenshotPath('web-person.png'), fullPage: true });

      // The unassigned and low-quality views list exactly people.json's `unassigned` and `gated` faces.
      const report = readPeople(join(root, 'out'));
      for (const [hash, list] of [
        ['#/unassigned', report.unassigned],
        ['#/low-quality', report.gated],
      ] as const) {
        await page.goto(`${served.url}${hash}`);
        await page.locator('#loose-title').waitFor();
        await page.locator('.face-grid, main p:not([role])').first().waitFor();
        const shown = await page
          .locator('.face-grid [data-face-id]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-face-id')));
        expect(new Set(shown)).toEqual(new Set(list.map((f) => f.face_id)));
      }
      await page.goto(`${served.url}#/unassigned`);
      await page.screenshot({ path: screenshotPath('web-unassigned.png'), fullPage: true });
      expect(problems).toEqual([]);
    });
  },
  chromiumRequirement,
);
