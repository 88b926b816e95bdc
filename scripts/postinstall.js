// `npm ci` fetches the models too, so a newcomer needs exactly two commands: `npm ci` and `npm test`.
// Set RANKFACE_SKIP_MODELS=1 to skip (e.g. when bundling Lambda functions).
import { spawnSync } from 'node:child_process';

if (!process.env.RANKFACE_SKIP_MODELS) {
  const r = spawnSync(process.execPath, ['scripts/fetch-models.js'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
