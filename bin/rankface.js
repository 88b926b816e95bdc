#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so the same sources serve Node 20 locally,
// esbuild bundles for Lambda, and vitest, with no separate build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
