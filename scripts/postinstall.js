// `npm ci` fetches the models and builds the web app too, so a newcomer needs exactly two commands:
// `npm ci` and `npm test`. Set RANKFACE_SKIP_MODELS=1 to skip the models (e.g. when bundling Lambda
// functions). The web app build needs esbuild (a dev dependency): skipped when it is not installed
// (`rankface serve` builds it on first start then).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!process.env.RANKFACE_SKIP_MODELS) {
  const r = spawnSync(process.execPath, ['scripts/fetch-models.js'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (existsSync('node_modules/esbuild') && existsSync('node_modules/tsx')) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-web.ts'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
