import { RankfaceError } from '#core/errors.ts';
import type { Detector, Embedder, LandmarkLocator } from '#core/vision/types.ts';
import {
  detectorRegistry,
  embedderRegistry,
  knownDetectors,
  knownEmbedders,
  knownLandmarkModels,
  landmarkRegistry,
  type ModelLoadConfig,
} from '#core/vision/registry.ts';

export class UnknownModelError extends RankfaceError {
  constructor(kind: string, id: string, known: readonly string[]) {
    super('unknown-model', `unknown ${kind} '${id}' (known: ${known.join(', ')})`);
  }
}

export async function createDetector(id: string, cfg: ModelLoadConfig): Promise<Detector> {
  const load = detectorRegistry[id];
  if (!load) throw new UnknownModelError('detector', id, knownDetectors());
  return load(cfg);
}

export async function createEmbedder(id: string, cfg: ModelLoadConfig): Promise<Embedder> {
  const load = embedderRegistry[id];
  if (!load) throw new UnknownModelError('embedder', id, knownEmbedders());
  return load(cfg);
}

export async function createLandmarkLocator(id: string, cfg: ModelLoadConfig): Promise<LandmarkLocator> {
  const load = landmarkRegistry[id];
  if (!load) throw new UnknownModelError('landmark model', id, knownLandmarkModels());
  return load(cfg);
}
