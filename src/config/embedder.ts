import manifestFile from '../../models/manifest.json' with { type: 'json' };
import { RankfaceError } from '#core/errors.ts';
import type { EmbedderKey } from '#core/pipeline/migrate-embedder.ts';
import { modelVersionOf, type ManifestEntry } from '#core/vision/model-info.ts';

const entries = (manifestFile as { models: (ManifestEntry & { package: string })[] }).models;

/** The active embedder's id and exact version (package version + content hash), from the manifest
 * bundled into every build: the same string the embedder stamps on its vectors (readModelVersion),
 * known also where no weights are (the cluster Lambda, the API, `rankface cloud migrate`). */
export function embedderKeyOf(modelId: string): EmbedderKey {
  const entry = entries.find((m) => m.id === modelId);
  if (!entry)
    throw new RankfaceError('invalid-setting', `RANKFACE_EMBEDDER: ${modelId} is not a model of models/manifest.json`);
  return { modelId, modelVersion: modelVersionOf(entry.package, entry) };
}
