// Prebuilt CLI: one esbuild pass over the TypeScript sources into dist/cli/, run by `npm ci`'s
// `prepare` step (and by hand: `node scripts/build-cli.js`). bin/rankface.js uses it when it is
// present and newer than every source it was built from, and falls back to tsx otherwise, so an
// edit is never run stale. Why: transpiling ~150 modules with tsx on every start costs ~1 s, which
// is most of a no-change `rankface cluster` re-run.
//
// Packages stay external (resolved from node_modules at run time as before): the natives (sharp,
// onnxruntime-node, better-sqlite3, usearch) and the WASM binaries are found where they are
// installed, and only our own modules are bundled. The analyzer pool's worker is a second entry
// (dist/cli/pool-worker.js, beside the chunks: pool.ts looks for it there). dist/cli/ is two levels
// below the repository root, like src/config/, so paths derived from the module location still hold.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');

// esbuild is a dev dependency: an install without it (--omit=dev) keeps running the sources with tsx.
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  console.log('rankface: esbuild not installed, the CLI runs from the sources (tsx)');
  process.exit(0);
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const started = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', 'pool-worker': 'src/core/vision/pool-worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Error names come from their class (RankfaceError): keep class names through the bundle.
  keepNames: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// What the bundle was built from, so bin/rankface.js can tell when it is stale.
const inputs = [...Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules')), 'package.json'];
writeFileSync(join(outdir, 'inputs.json'), JSON.stringify({ builtAt: started, inputs }, null, 1) + '\n');
console.log(
  `rankface: prebuilt CLI in ${relative(process.cwd(), outdir) || '.'} (${inputs.length} modules, ${Date.now() - started} ms)`,
);
