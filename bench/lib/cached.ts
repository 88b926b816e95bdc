import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterFace } from '#core/cluster/types.ts';
import { repoRoot } from '#test/helpers/data.ts';

/** Vectors of a labelled dev set as cached by `tsx bench/lib/embed-sets.ts`. */
export interface CachedSet {
  readonly set: string;
  readonly modelId: string;
  readonly faces: ClusterFace[];
  /** Identity per face, same order as `faces`. */
  readonly truth: string[];
  readonly msPerImage: number;
}

export const vectorsDir = join(repoRoot, '.cache', 'vectors');

export function loadCachedSet(set: string): CachedSet {
  const raw = JSON.parse(readFileSync(join(vectorsDir, `${set}.json`), 'utf8')) as {
    modelId: string;
    msPerImage: number;
    faces: { id: string; identity: string; vector: number[] }[];
  };
  return {
    set,
    modelId: raw.modelId,
    msPerImage: raw.msPerImage,
    faces: raw.faces.map((f) => ({
      id: f.id,
      photoId: f.id,
      vector: Float32Array.from(f.vector),
      modelId: raw.modelId,
    })),
    truth: raw.faces.map((f) => f.identity),
  };
}
