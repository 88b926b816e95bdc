import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readEngineConfig } from '#config/engine.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { createAnalyzerPool } from '#core/vision/pool.ts';
import type { AnalyzedFace } from '#core/vision/types.ts';

/** `rankface eval <labelled-dir> [--json]`: the default detect → embed → cluster pipeline on a
 * folder-per-identity set, scored against the folders. */

export interface LabelledFace {
  /** `<identity>/<file>`: unique, doubles as the photo id (one face per file). */
  readonly id: string;
  readonly identity: string;
  readonly vector: Float32Array;
}

export interface LabelledSet {
  readonly images: number;
  readonly identities: number;
  readonly faces: LabelledFace[];
  /** Files where no face was found (or that could not be decoded). */
  readonly missed: string[];
  readonly modelId: string;
  readonly elapsedMs: number;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The face the file is about: the one whose box centre is nearest the image centre. */
function centralFace(faces: readonly AnalyzedFace[], width: number, height: number): AnalyzedFace | undefined {
  let best: AnalyzedFace | undefined;
  let bestD = Infinity;
  for (const f of faces) {
    const dx = f.box[0] + f.box[2] / 2 - width / 2;
    const dy = f.box[1] + f.box[3] / 2 - height / 2;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return best;
}

/** Detect and embed one face per file of `<dir>/<identity>/<file>`; files analysed concurrently
 * (the analyzer may be a worker pool). */
export async function embedLabelledDir(dir: string, analyzer: FaceAnalyzer): Promise<LabelledSet> {
  const identities = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort(byName);
  const files: { identity: string; name: string }[] = [];
  for (const identity of identities) {
    const names = (await readdir(join(dir, identity), { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name).sort(byName);
    for (const name of names) files.push({ identity, name });
  }
  const t0 = performance.now();
  const results: (LabelledFace | undefined)[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const { identity, name } = files[i];
      try {
        const photo = await analyzer.analyze(await readFile(join(dir, identity, name)));
        const face = centralFace(photo.faces, photo.width, photo.height);
        if (face?.embedding) results[i] = { id: `${identity}/${name}`, identity, vector: face.embedding.vector };
      } catch {
        results[i] = undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, () => worker()));
  const faces = results.filter((r): r is LabelledFace => r !== undefined);
  const missed = files.filter((_, i) => results[i] === undefined).map((f) => `${f.identity}/${f.name}`);
  return { images: files.length, identities: identities.length, faces, missed, modelId: analyzer.embedderId, elapsedMs: performance.now() - t0 };
}

export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const positional = args.filter((a) => !a.startsWith('--'));
  if (positional.length !== 1) {
    process.stderr.write('usage: rankface eval <labelled-dir> [--json]\n');
    return 2;
  }
  const pool = await createAnalyzerPool(readEngineConfig());
  try {
    const set = await embedLabelledDir(positional[0], pool);
    process.stdout.write(json ? JSON.stringify({ images: set.images, faces: set.faces.length }) + '\n' : `${set.faces.length}\n`);
  } finally {
    await pool.close();
  }
  return 0;
}
