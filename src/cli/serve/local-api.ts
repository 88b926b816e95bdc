import type { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { createApiRouter } from '#api/router.ts';
import { systemClock } from '#core/ports/clock.ts';
import { silentLogger } from '#core/ports/logger.ts';
import type { ApiRouter } from './types.ts';

/** `rankface serve`'s API: the shared router (`#api/router.ts`, the one the Lambda handler and
 * `npm run local` wrap) over the SQLite store. Crop URLs point at the server's `/blobs/` route;
 * uploads are cloud-only; same-origin, so no CORS origin is granted. */
export function createLocalRouter(
  store: SqliteFaceStore,
  urlOfBlob: (key: string) => string,
  modelId: string | undefined,
): ApiRouter {
  const router = createApiRouter({
    faces: store,
    clock: systemClock,
    logger: silentLogger,
    corsOrigin: 'null',
    cropUrl: async (key) => urlOfBlob(key),
    ...(modelId ? { modelId } : {}),
  });
  return (req) => router(req);
}
