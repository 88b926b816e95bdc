import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClusterSummary } from '#cli/commands/cluster.ts';
import { describeWithData, repoRoot } from '#test/helpers/data.ts';
import { BBT_CHARACTERS, makeBbtFolder, runCluster } from './cluster-helpers.ts';

/** The report `rankface cluster` writes opens in headless Chromium (Debian's package), shows one
 * card per person with thumbnails that load, and maps every face. Screenshot: test-artifacts/report.png. */

const CHROMIUM = process.env.RANKFACE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs in the page (the test compiles without DOM types, hence the structural type). */
const naturalWidths = (imgs: unknown[]): number[] => imgs.map((i) => (i as { naturalWidth: number }).naturalWidth);

describeWithData(
  'rankface cluster report in a browser',
  () => {
    let root = '';
    let summary: ClusterSummary;
    let browser: Browser;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'rankface-e2e-report-'));
      makeBbtFolder(join(root, 'photos'));
      ({ summary } = await runCluster(join(root, 'photos'), join(root, 'out')));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });
    afterAll(async () => {
      await browser?.close();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('shows the people with loading thumbnails, the map and the faces', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
      });
      page.on('requestfailed', (req) => problems.push(`failed: ${req.url()}`));
      await page.goto(pathToFileURL(join(root, 'out', 'index.html')).href);
      await page.waitForLoadState('load');

      expect(summary.people).toBe(BBT_CHARACTERS.length);
      await expect(page.locator('.person-card').count()).resolves.toBe(summary.people);
      await expect(page.locator('h1').textContent()).resolves.toContain(`${summary.people} people`);
      const covers = await page.locator('.person-card img.cover').evaluateAll(naturalWidths);
      expect(covers).toHaveLength(summary.people);
      for (const w of covers) expect(w).toBeGreaterThan(0);

      // Every face tile (lazy-loaded) loads once scrolled into view.
      const tiles = page.locator('.faces img');
      await expect(tiles.count()).resolves.toBe(summary.faces);
      await page.evaluate(`Promise.all(Array.from(document.querySelectorAll('.faces img')).map((img) => {
      img.loading = 'eager';
      return img.complete ? null : new Promise((r) => { img.onload = r; img.onerror = r; });
    }))`);
      const widths = await tiles.evaluateAll(naturalWidths);
      expect(widths.filter((w) => w === 0)).toEqual([]);

      await expect(page.locator('#map-svg circle').count()).resolves.toBe(summary.faces);
      await expect(page.locator('article.person').count()).resolves.toBe(summary.people);

      // Hovering a dot shows that face's thumbnail.
      await page.locator('#map-svg circle').first().hover();
      await expect(page.locator('#tip').isVisible()).resolves.toBe(true);

      mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
      await page.evaluate('window.scrollTo(0, 0)');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'report.png'), fullPage: true });
      expect(problems).toEqual([]);
    });
  },
  { met: existsSync(CHROMIUM), what: `chromium at ${CHROMIUM} (set RANKFACE_CHROMIUM)` },
);
