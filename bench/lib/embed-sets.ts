/** Embed the labelled dev sets once and cache the vectors under .cache/vectors/<set>.json so that
 * tuning and the quality benchmark do not re-run the face engine. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readEngineConfig } from '#config/engine.ts';
import { createAnalyzerPool } from '#core/vision/pool.ts';
import { dataPath, repoRoot } from '#test/helpers/data.ts';
import { embedLabelledDir } from './labelled.ts';

const sets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['bbt', 'lfw-120', 'lfw-df-dev'];
const outDir = join(repoRoot, '.cache', 'vectors');
await mkdir(outDir, { recursive: true });
const config = readEngineConfig();
const pool = await createAnalyzerPool(config);
try {
  for (const name of sets) {
    const set = await embedLabelledDir(dataPath(name), pool);
    const out = {
      set: name,
      modelId: set.modelId,
      images: set.images,
      identities: set.identities,
      missed: set.missed,
      msPerImage: set.elapsedMs / set.images,
      faces: set.faces.map((f) => ({
        id: f.id,
        identity: f.identity,
        vector: Array.from(f.vector, (v) => Number(v.toFixed(6))),
      })),
    };
    await writeFile(join(outDir, `${name}.json`), JSON.stringify(out));
    process.stdout.write(
      `${name}: ${set.images} images, ${set.faces.length} faces, ${set.missed.length} missed, ${(set.elapsedMs / set.images).toFixed(1)} ms/image\n`,
    );
  }
} finally {
  await pool.close();
}
