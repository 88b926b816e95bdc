import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberFromEnv } from '#config/env.ts';
import type { EngineConfig } from '#core/vision/engine-config.ts';

/** Engine settings, read from the environment once. The core never reads process.env: it receives
 * this object (its type lives in the core, which must not import config). */
export type { EngineConfig };

/** The repository (or installed package) root: two levels above this module both in the sources
 * (src/config/) and in the prebuilt CLI (dist/cli/, see scripts/build-cli.js). Models default to
 * `<root>/models`. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The largest RANKFACE_MAX_BYTES accepted (1 GiB): a file is read whole, hashed and decoded, and
 * above 2 GiB Node aborts the process on the read (SIGABRT) or throws from the hash, taking the
 * whole run down; 1 GiB still keeps a run's peak memory within a few GiB. */
export const MAX_BYTES_LIMIT = 1024 ** 3;

export function readEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  return Object.freeze({
    modelsDir: resolve(env.RANKFACE_MODELS ?? join(repoRoot, 'models')),
    detector: env.RANKFACE_DETECTOR ?? 'ulfd-rfb320',
    embedder: env.RANKFACE_EMBEDDER ?? 'faceplugin-arcface512',
    maxPixels: numberFromEnv(env, 'RANKFACE_MAX_PIXELS', 100_000_000),
    maxBytes: numberFromEnv(env, 'RANKFACE_MAX_BYTES', 100 * 1024 * 1024, {
      integer: true,
      min: 1,
      max: MAX_BYTES_LIMIT,
    }),
    ...(env.RANKFACE_THREADS
      ? { threads: numberFromEnv(env, 'RANKFACE_THREADS', 0, { integer: true, min: 1, max: 64 }) }
      : {}),
  });
}
