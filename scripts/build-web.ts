/** Builds the People web app (`web/`) into `dist/web/` with esbuild: one minified ES module
 * (Preact included, no CDN), one stylesheet and `index.html`. Run by `npm ci` (postinstall), by
 * `npm run build:web`, and on demand by `rankface serve` when the sources are newer than the build.
 * `config.json` is not part of the build: each host provides its own. */
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// From #config (two levels below the root, as dist/cli/ is): right in the sources and in the prebuilt CLI.
import { repoRoot } from '#config/engine.ts';
export const WEB_SRC = join(repoRoot, 'web');
export const WEB_DIST = join(repoRoot, 'dist', 'web');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

/** True when `dist/web` is missing or older than any source file. */
export async function webBuildIsStale(): Promise<boolean> {
  try {
    const built = Math.min(
      ...(await Promise.all(
        ['app.js', 'app.css', 'index.html'].map(async (f) => (await stat(join(WEB_DIST, f))).mtimeMs),
      )),
    );
    return (await newestMtime(WEB_SRC)) > built;
  } catch {
    return true;
  }
}

export async function buildWeb(outDir = WEB_DIST): Promise<{ outDir: string; bytes: number }> {
  const { build } = await import('esbuild');
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(WEB_SRC, 'src', 'main.tsx'), 'app-style': join(WEB_SRC, 'src', 'app.css') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: repoRoot,
  });
  // esbuild names the CSS entry after its key; the page links `app.css`.
  await copyFile(join(outDir, 'app-style.css'), join(outDir, 'app.css'));
  await copyFile(join(WEB_SRC, 'index.html'), join(outDir, 'index.html'));
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, bytes } = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : WEB_DIST);
  process.stdout.write(`web app built: ${outDir} (${(bytes / 1024).toFixed(0)} KB with source maps)\n`);
}
