import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '#test/helpers/data.ts';

/** Shared by the web app's end-to-end tests: `rankface serve` in a child process, Debian's Chromium
 * headless (as the report test), a page that records every error. */

export const CHROMIUM = process.env.RANKFACE_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumRequirement = { met: existsSync(CHROMIUM), what: `chromium at ${CHROMIUM}` };
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

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

export interface Served {
  readonly url: string;
  readonly stop: () => Promise<number | null>;
}

/** Starts `rankface serve --port 0` and resolves with the URL it prints. */
export function startServe(outDir: string, extra: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'rankface.js'), 'serve', '--out', outDir, '--port', '0', ...extra],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill('SIGINT');
    return exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rankface serve did not start: ${stderr}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/[^\s]+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rankface serve exited (${code}): ${stderr}`));
    });
  });
}

/** A page whose page errors, console errors and failed requests are collected in `problems`. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  // A request cut short by the test's own navigation (reload) is aborted, not failed.
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '';
    if (why !== 'net::ERR_ABORTED') problems.push(`failed: ${req.url()} ${why}`);
  });
  return { page, problems };
}

export function screenshotPath(name: string): string {
  const dir = join(repoRoot, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Every `<img>` on the page has loaded (natural width > 0); returns the widths. */
export const imageWidths = (page: Page, selector: string): Promise<number[]> =>
  page
    .locator(selector)
    .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));

export async function apiGet<T>(base: string, path: string): Promise<T> {
  const res = await fetch(new URL(`api${path}`, base));
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export interface ApiPerson {
  readonly personId: string;
  readonly name: string | null;
  readonly hidden: boolean;
  readonly faceCount: number;
  readonly coverFaceId: string;
}
export interface ApiFace {
  readonly faceId: string;
}
