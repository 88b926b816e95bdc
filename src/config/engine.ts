import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Engine settings, read from the environment once. The core never reads process.env: it receives
 * this object. */
export interface EngineConfig {
  /** Folder holding models/<id>/ as written by `npm run models`. */
  readonly modelsDir: string;
  /** Detector model id (see models/manifest.json). */
  readonly detector: string;
  /** Embedder model id. */
  readonly embedder: string;
  /** Refuse images with more pixels than this (decompression bombs). */
  readonly maxPixels: number;
  /** Refuse inputs larger than this many bytes. */
  readonly maxBytes: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return n;
}

export function readEngineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  return Object.freeze({
    modelsDir: resolve(env.RANKFACE_MODELS ?? join(repoRoot, 'models')),
    detector: env.RANKFACE_DETECTOR ?? 'ulfd-rfb320',
    embedder: env.RANKFACE_EMBEDDER ?? 'faceplugin-arcface512',
    maxPixels: intFromEnv(env, 'RANKFACE_MAX_PIXELS', 100_000_000),
    maxBytes: intFromEnv(env, 'RANKFACE_MAX_BYTES', 100 * 1024 * 1024),
  });
}
