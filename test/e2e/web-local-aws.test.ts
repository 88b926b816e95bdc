import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';
import { ROUTES } from '../../functions/api/routes.ts';
import { buildWeb, WEB_DIST, webBuildIsStale } from '../../scripts/build-web.ts';
import { chromiumRequirement, imageWidths, launchBrowser, screenshotPath, watchedPage } from './web-helpers.ts';

/** The same web app against `npm run local`'s API (emulated S3 + DynamoDB, the real handlers), with
 * the `x-user` header standing in for the Cognito identity: photos uploaded through the API become
 * people the grid shows, and a rename in the `Name` box is what the API then returns.
 * Screenshots: test-artifacts/web-local-aws-grid.png, web-local-aws.png. */

const USER = 'webtester';
const API_PORT = 18000 + (process.pid % 1000);

interface Person {
  personId: string;
  name: string | null;
  faceCount: number;
}

describeWithData(
  'web app against npm run local',
  () => {
    let local: ChildProcess;
    let site: Server;
    let siteUrl = '';
    let browser: Browser;
    const api = `http://127.0.0.1:${API_PORT}`;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { 'x-user': USER, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };

    beforeAll(async () => {
      if (await webBuildIsStale()) await buildWeb();
      local = spawn(process.execPath, ['--import', 'tsx', 'scripts/emulators/run-local.ts'], {
        cwd: repoRoot,
        env: { ...process.env, PORT: String(API_PORT), RANKFACE_LOCAL_CLUSTER_MS: '1500' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((ready, fail) => {
        let out = '';
        local.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('API on')) ready();
        });
        local.once('exit', (code) => fail(new Error(`npm run local exited ${code}`)));
      });
      // Two people, five portraits each, uploaded as a browser would: presigned PUT.
      for (const who of ['amy', 'raj']) {
        for (const file of readdirSync(dataPath('bbt', who))) {
          const ticket = await call<{ url: string; headers: Record<string, string> }>('POST', '/uploads', {
            fileName: `${who}-${file}`,
            contentType: file.endsWith('.png') ? 'image/png' : 'image/jpeg',
          });
          const put = await fetch(ticket.url, {
            method: 'PUT',
            headers: ticket.headers,
            body: readFileSync(dataPath('bbt', who, file)),
          });
          expect(put.ok).toBe(true);
        }
      }
      // The app's files, with a config.json for the local API and its stand-in identity.
      const routes = ROUTES.map((r) => `${r.method} ${r.resource}`);
      const config = JSON.stringify({
        apiBase: api,
        auth: { kind: 'header', header: 'x-user', value: USER },
        progressPollMs: 1000,
        routes,
      });
      site = createServer((req, res) => {
        const name = (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').slice(1).split('?')[0]!;
        if (name === 'config.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(config);
        try {
          const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html';
          res.writeHead(200, { 'content-type': type }).end(readFileSync(join(WEB_DIST, name.replace(/[^\w.-]/g, ''))));
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((up) => site.listen(0, '127.0.0.1', up));
      const address = site.address();
      siteUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      site?.close();
      if (local && local.exitCode === null) {
        local.kill('SIGINT');
        await new Promise((done) => local.once('exit', done));
      }
    });

    it('shows the people the local pipeline found and renames one through the API', async () => {
      let people: Person[] = [];
      await expect
        .poll(
          async () => {
            people = (await call<{ people: Person[] }>('GET', '/people')).people;
            return people.reduce((n, p) => n + p.faceCount, 0);
          },
          { timeout: 180_000, interval: 2000 },
        )
        .toBeGreaterThanOrEqual(8);
      const { page, problems } = await watchedPage(browser);
      await page.goto(siteUrl);
      const cards = page.locator('.people-grid [data-person-id]');
      await cards.first().waitFor();
      people = (await call<{ people: Person[] }>('GET', '/people')).people;
      await expect(cards.count()).resolves.toBe(people.length);
      await page.waitForFunction(() =>
        Array.from(
          (
            globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ complete: boolean }> } }
          ).document.querySelectorAll('.people-grid img.cover'),
        ).every((i) => i.complete),
      );
      const covers = await imageWidths(page, '.people-grid img.cover');
      expect(covers).toHaveLength(people.length);
      expect(covers.filter((w) => w === 0)).toEqual([]);
      await page.screenshot({ path: screenshotPath('web-local-aws-grid.png'), fullPage: true });
      const first = people[0]!;
      await page.locator(`.people-grid [data-person-id="${first.personId}"] a`).click();
      await page.locator('.face-grid [data-face-id]').first().waitFor();
      await expect(page.locator('.face-grid [data-face-id]').count()).resolves.toBe(first.faceCount);
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Local Hero');
      await page.getByRole('textbox', { name: 'Name', exact: true }).press('Enter');
      await expect
        .poll(
          async () =>
            (await call<{ people: Person[] }>('GET', '/people')).people.find((p) => p.personId === first.personId)
              ?.name,
          { timeout: 30_000 },
        )
        .toBe('Local Hero');
      await page.screenshot({ path: screenshotPath('web-local-aws.png'), fullPage: true });
      expect(problems).toEqual([]);
    });
  },
  chromiumRequirement,
);
