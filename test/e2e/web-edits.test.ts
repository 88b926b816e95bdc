import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '#test/helpers/data.ts';
import { BBT_CHARACTERS, makeBbtFolder, readPeople, runCluster } from './cluster-helpers.ts';
import {
  apiGet,
  chromiumRequirement,
  launchBrowser,
  screenshotPath,
  startServe,
  watchedPage,
  type ApiFace,
  type ApiPerson,
  type Served,
} from './web-helpers.ts';

/** Corrections made in the web app on real photos: rename (the `Name` box, Enter), hide, merge, move a
 * face and "not this person" each change what `rankface serve`'s API returns, show after a page
 * reload, are written to people.json, and survive a later `rankface cluster` re-run.
 * Screenshots: test-artifacts/web-edits-person.png, web-edits-grid.png. */

const NEW_NAME = 'Penny Tester';
/** An edit returns after people.json and the report are rewritten: seconds on a busy machine. */
const POLL = { timeout: 30_000, interval: 250 };

describeWithData(
  'rankface serve: corrections in the web app stick',
  () => {
    let root = '';
    let served: Served;
    let browser: Browser;
    const out = (): string => join(root, 'out');
    const people = async (hidden = true): Promise<ApiPerson[]> =>
      (await apiGet<{ people: ApiPerson[] }>(served.url, `/people${hidden ? '?hidden=include' : ''}`)).people;
    const facesOf = async (personId: string): Promise<string[]> =>
      (await apiGet<{ faces: ApiFace[] }>(served.url, `/people/${encodeURIComponent(personId)}/faces`)).faces.map(
        (f) => f.faceId,
      );
    const personWith = async (faceId: string): Promise<ApiPerson | undefined> => {
      for (const p of await people()) if ((await facesOf(p.personId)).includes(faceId)) return p;
      return undefined;
    };
    const openPerson = async (page: Page, personId: string): Promise<void> => {
      await page.goto(`${served.url}#/people/${encodeURIComponent(personId)}`);
      await page
        .locator(`section.person-page[data-person-id="${personId}"] .face-grid [data-face-id]`)
        .first()
        .waitFor();
    };

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'rankface-e2e-web-edits-'));
      // One portrait per photo: merging two people who share a group photo would ask the clustering to
      // put two faces of one photo in one person, which it never does (a separate question from these).
      makeBbtFolder(join(root, 'photos'), BBT_CHARACTERS, false);
      await runCluster(join(root, 'photos'), out(), ['--workers', '1']);
      served = await startServe(out());
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await served?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('applies rename, hide, merge, move and not-this-person, keeps them over a reload and a re-run', async () => {
      const before = await people();
      expect(before.length).toBeGreaterThanOrEqual(7);
      const [renamed, hidden, target, absorbed, mover, receiver, rejecter] = before.map((p) => p.personId) as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const movedFace = (await facesOf(mover)).find((f) => f !== before[4]!.coverFaceId)!;
      const rejecterFaces = await facesOf(rejecter);
      const rejectedFace = rejecterFaces.find((f) => f !== before[6]!.coverFaceId)!;
      const mergedFaces = [...(await facesOf(target)), ...(await facesOf(absorbed))];
      const { page, problems } = await watchedPage(browser);

      // Rename: type into the box labelled exactly "Name", press Enter.
      await openPerson(page, renamed);
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(NEW_NAME);
      await page.getByRole('textbox', { name: 'Name', exact: true }).press('Enter');
      await expect.poll(async () => (await people()).find((p) => p.personId === renamed)?.name, POLL).toBe(NEW_NAME);
      await expect.poll(() => page.locator('#person-title').textContent(), POLL).toBe(NEW_NAME);

      // Hide.
      await openPerson(page, hidden);
      await page.getByRole('button', { name: 'Hide', exact: true }).click();
      await expect.poll(async () => (await people(false)).some((p) => p.personId === hidden), POLL).toBe(false);

      // Merge: pick the other person in the dialog.
      await openPerson(page, target);
      await page.getByRole('button', { name: /Merge another person/ }).click();
      await page.locator(`dialog [data-pick-person-id="${absorbed}"]`).click();
      await expect.poll(async () => (await people()).some((p) => p.personId === absorbed), POLL).toBe(false);
      expect(new Set(await facesOf(target))).toEqual(new Set(mergedFaces));

      // Move a face with the keyboard: select it, m, pick the receiving person.
      await openPerson(page, mover);
      await page.locator(`[data-face-id="${movedFace}"]`).click();
      await page.keyboard.press('m');
      await page.locator(`dialog [data-pick-person-id="${receiver}"]`).click();
      await expect.poll(async () => (await facesOf(receiver)).includes(movedFace), POLL).toBe(true);
      expect(await facesOf(mover)).not.toContain(movedFace);

      // Not this person: select, n.
      await openPerson(page, rejecter);
      await page.locator(`[data-face-id="${rejectedFace}"]`).click();
      await page.keyboard.press('n');
      await expect.poll(async () => (await facesOf(rejecter)).includes(rejectedFace), POLL).toBe(false);
      await page.screenshot({ path: screenshotPath('web-edits-person.png'), fullPage: true });

      // A reload shows the server's state.
      await page.goto(served.url);
      await page.locator('.people-grid').waitFor();
      await page.reload();
      const grid = page.locator('.people-grid');
      await grid.locator('[data-person-id]').first().waitFor();
      await expect(grid.locator(`[data-person-id="${renamed}"] .person-label`).textContent()).resolves.toBe(NEW_NAME);
      await expect(grid.locator(`[data-person-id="${hidden}"]`).count()).resolves.toBe(0);
      await expect(grid.locator(`[data-person-id="${absorbed}"]`).count()).resolves.toBe(0);
      await expect(grid.locator(`[data-person-id="${target}"] .face-count`).textContent()).resolves.toBe(
        `${mergedFaces.length} faces`,
      );
      await page.screenshot({ path: screenshotPath('web-edits-grid.png'), fullPage: true });
      await openPerson(page, receiver);
      await expect(page.locator(`[data-face-id="${movedFace}"]`).count()).resolves.toBe(1);
      // The face said "not this person" is not shown in that person after the reload either.
      await openPerson(page, rejecter);
      await expect(page.locator(`.face-grid [data-face-id="${rejectedFace}"]`).count()).resolves.toBe(0);
      await expect(page.locator('.face-grid [data-face-id]').count()).resolves.toBe(rejecterFaces.length - 1);
      expect(problems).toEqual([]);
      expect(readPeople(out()).people.find((p) => p.id === renamed)?.name).toBe(NEW_NAME);

      // A later `rankface cluster` run keeps every correction.
      await served.stop();
      await runCluster(join(root, 'photos'), out(), ['--workers', '1']);
      served = await startServe(out());
      const after = await people();
      expect(after.find((p) => p.personId === renamed)?.name).toBe(NEW_NAME);
      expect(after.find((p) => p.personId === hidden)?.hidden).toBe(true);
      // Merged faces stay together under the merge target's id; the moved face stays with the receiver.
      for (const f of mergedFaces) expect((await personWith(f))?.personId).toBe(target);
      expect((await personWith(movedFace))?.personId).toBe(receiver);
      // "Not this person" costs the person nothing: the rest of its faces keep it, the rejected face is
      // not among them (it may be unassigned or elsewhere).
      for (const f of rejecterFaces.filter((f) => f !== rejectedFace))
        expect((await personWith(f))?.personId).toBe(rejecter);
      expect((await personWith(rejectedFace))?.personId).not.toBe(rejecter);
      expect(readPeople(out()).people.find((p) => p.id === renamed)?.name).toBe(NEW_NAME);
    });
  },
  chromiumRequirement,
);
