import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { makeBbtFolder, runCluster } from './cluster-helpers.ts';
import {
  apiGet,
  chromiumRequirement,
  launchBrowser,
  screenshotPath,
  startServe,
  watchedPage,
  type ApiFace,
  type Served,
} from './web-helpers.ts';

/** The suggestions step of a person's page on real photos: the toolbar button opens "Is this
 * <name>?" with each face's calibrated P(same); "Yes" moves the face into the person and "No"
 * records "not this person" for it (it is never suggested again). Both are checked through the API
 * after the click, so a button that did nothing fails. Screenshot: test-artifacts/web-suggestions.png. */

interface ApiSuggestion {
  readonly face: { readonly faceId: string };
  readonly pSame: number;
}

/** An edit returns after people.json and the report are rewritten: seconds on a busy machine. */
const POLL = { timeout: 30_000, interval: 250 };

describeWithData(
  'rankface serve: the suggestions step in the web app',
  () => {
    let root = '';
    let served: Served;
    let browser: Browser;
    let personId = '';
    let accepted = '';
    let declined = '';

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'rankface-e2e-web-suggestions-'));
      makeBbtFolder(join(root, 'photos'), ['howard', 'leonard', 'penny', 'raj'], false);
      await runCluster(join(root, 'photos'), join(root, 'out'), ['--workers', '1']);
      // Two faces of the largest person left out (as a too-strict clustering would), before serving.
      const store = new SqliteFaceStore(join(root, 'out', 'rankface.db'));
      const people = await store.listPeople('local');
      const person = [...people].sort((a, b) => b.faceIds.length - a.faceIds.length)[0]!;
      expect(person.faceIds.length).toBeGreaterThanOrEqual(5);
      [accepted, declined] = person.faceIds.filter((f) => f !== person.coverFaceId) as [string, string];
      personId = person.personId;
      await store.replacePeople(
        'local',
        people.map((p) =>
          p.personId === personId ? { ...p, faceIds: p.faceIds.filter((f) => f !== accepted && f !== declined) } : p,
        ),
      );
      store.close();
      served = await startServe(join(root, 'out'));
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await served?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    const suggested = async (): Promise<ApiSuggestion[]> =>
      (
        await apiGet<{ suggestions: ApiSuggestion[] }>(
          served.url,
          `/people/${encodeURIComponent(personId)}/suggestions`,
        )
      ).suggestions;
    const facesOf = async (): Promise<string[]> =>
      (
        await apiGet<{ faces: ApiFace[] }>(served.url, `/people/${encodeURIComponent(personId)}/faces?limit=1000`)
      ).faces.map((f) => f.faceId);

    it('Yes moves the suggested face in, No records not-this-person; both seen through the API', async () => {
      const before = await suggested();
      expect(before.map((s) => s.face.faceId)).toEqual(expect.arrayContaining([accepted, declined]));
      expect(await facesOf()).not.toContain(accepted);

      const { page, problems } = await watchedPage(browser);
      await page.goto(`${served.url}#/people/${encodeURIComponent(personId)}`);
      await page
        .locator(`section.person-page[data-person-id="${personId}"] .face-grid [data-face-id]`)
        .first()
        .waitFor();
      const button = page.locator('button.suggestions-button');
      await expect.poll(() => button.isEnabled(), POLL).toBe(true);
      await button.click();
      const dialog = page.getByRole('dialog', { name: /^Is this / });
      const acceptedItem = dialog.locator(`li[data-face-id="${accepted}"]`);
      await acceptedItem.waitFor();
      // The calibrated P(same) the API gave, as a percentage.
      const pSame = before.find((s) => s.face.faceId === accepted)!.pSame;
      await expect(acceptedItem.locator('.p-same').textContent()).resolves.toBe(`P(same) ${(pSame * 100).toFixed(0)}%`);
      await page.screenshot({ path: screenshotPath('web-suggestions.png') });

      // Yes: the face is now one of the person's faces, and no longer a suggestion.
      await acceptedItem.getByRole('button', { name: /^Yes, this is / }).click();
      await expect.poll(async () => (await facesOf()).includes(accepted), POLL).toBe(true);
      expect((await suggested()).map((s) => s.face.faceId)).not.toContain(accepted);

      // No: the face stays out of the person and is never suggested for it again.
      await expect.poll(() => button.isEnabled(), POLL).toBe(true);
      if (!(await dialog.isVisible())) await button.click();
      await dialog
        .locator(`li[data-face-id="${declined}"]`)
        .getByRole('button', { name: /^No, this is not / })
        .click();
      await expect.poll(async () => (await suggested()).map((s) => s.face.faceId).includes(declined), POLL).toBe(false);
      expect(await facesOf()).not.toContain(declined);

      // After a reload the page shows the server's state: the accepted face among the person's faces.
      await page.reload();
      await page.locator(`.face-grid [data-face-id="${accepted}"]`).waitFor();
      expect(problems).toEqual([]);
    });
  },
  chromiumRequirement,
);
