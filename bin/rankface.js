#!/usr/bin/env node
// The CLI is TypeScript. `npm ci` prebuilds it (scripts/build-cli.js → dist/cli/), which starts in a
// fraction of the time; when that bundle is missing or older than any source it was built from (an
// edit, a checkout), the sources are run through tsx's loader instead, so a stale bundle never runs.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function freshBundle() {
  if (process.env.RANKFACE_NO_BUNDLE) return undefined;
  try {
    const bundle = join(root, 'dist', 'cli', 'main.js');
    const { builtAt, inputs } = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8'));
    // A source written during the build counts as newer: 'builtAt' is when the build started.
    for (const input of inputs) if (statSync(join(root, input)).mtimeMs >= builtAt) return undefined;
    return bundle;
  } catch {
    return undefined; // no bundle, or a source it needs is gone
  }
}

async function loadMain() {
  const bundle = freshBundle();
  if (bundle) return import(pathToFileURL(bundle).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli/main.ts');
}

const { main } = await loadMain();
process.exitCode = await main(process.argv.slice(2));
