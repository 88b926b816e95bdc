/** Labelled faces for calibration: the largest central face of every photo of a dev set, embedded
 * by one embedder, cached under .cache/calibration/<embedder>/<set>.json (re-used by later runs). */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineConfig } from '#config/engine.ts';
import { createAnalyzerPool } from '#core/vision/pool.ts';
import { dataPath, repoRoot } from '#test/helpers/data.ts';
import { embedLabelledDir } from './labelled.ts';

export interface LabelledVector {
  readonly id: string;
  readonly identity: string;
  readonly vector: Float32Array;
}

const cacheFile = (embedder: string, set: string): string =>
  join(repoRoot, '.cache', 'calibration', embedder, `${set}.json`);

/** Vectors of each set for the configured embedder, embedding (2 workers) only the sets not cached. */
export async function labelledVectors(
  config: EngineConfig,
  sets: readonly string[],
): Promise<Map<string, LabelledVector[]>> {
  const out = new Map<string, LabelledVector[]>();
  const missing = sets.filter((s) => !existsSync(cacheFile(config.embedder, s)));
  if (missing.length > 0) {
    const pool = await createAnalyzerPool(config, { size: 2 });
    try {
      for (const set of missing) {
        const embedded = await embedLabelledDir(dataPath(set), pool);
        const faces = embedded.faces.map((f) => ({
          id: f.id,
          identity: f.identity,
          vector: Array.from(f.vector, (v) => Number(v.toFixed(6))),
        }));
        await mkdir(join(repoRoot, '.cache', 'calibration', config.embedder), { recursive: true });
        await writeFile(
          cacheFile(config.embedder, set),
          JSON.stringify({ set, embedder: embedded.modelId, missed: embedded.missed.length, faces }),
        );
        process.stderr.write(
          `embedded ${set} with ${config.embedder}: ${faces.length} faces, ${embedded.missed.length} missed\n`,
        );
      }
    } finally {
      await pool.close();
    }
  }
  for (const set of sets) {
    const raw = JSON.parse(readFileSync(cacheFile(config.embedder, set), 'utf8')) as {
      faces: { id: string; identity: string; vector: number[] }[];
    };
    out.set(
      set,
      raw.faces.map((f) => ({
        id: `${set}/${f.id}`,
        identity: `${set}/${f.identity}`,
        vector: Float32Array.from(f.vector),
      })),
    );
  }
  return out;
}
