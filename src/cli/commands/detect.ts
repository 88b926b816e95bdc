import { readRegularFile } from '#adapters/local/fs-photo-source.ts';
import { fileErrorOf } from '#cli/file-error.ts';
import { readEngineConfig } from '#config/engine.ts';
import { RankfaceError } from '#core/errors.ts';
import type { Box, FivePoints } from '#core/types.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import { verifyModelFiles } from '#core/vision/model-info.ts';
import { createAnalyzerPool } from '#core/vision/pool.ts';
import { DEFAULT_LANDMARKS } from '#core/vision/registry.ts';

/** `rankface detect <image...> [--json]`: faces per image, in original pixels. The JSON keys
 * (file, width, height, faces[].box/score/landmarks, error) are read by other tools: keep them. */

interface DetectedFaceJson {
  box: Box;
  score: number;
  landmarks: FivePoints;
  /** Engine quality 0..1 and its weak signals, weakest first (docs/clustering.md#face-quality). */
  quality: { score: number; reasons: string[] };
}

interface DetectResultJson {
  file: string;
  width: number | null;
  height: number | null;
  faces: DetectedFaceJson[];
  error?: { code: string; message: string };
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));
/** From this many images on, detection runs in a worker pool. */
const POOL_FROM = 8;

function usage(): string {
  return 'usage: rankface detect <image...> [--json]';
}

function printTable(results: readonly DetectResultJson[]): void {
  for (const r of results) {
    if (r.error) {
      process.stdout.write(`${r.file}: error ${r.error.code}: ${r.error.message}\n`);
      continue;
    }
    process.stdout.write(
      `${r.file}: ${r.width}x${r.height}, ${r.faces.length} face${r.faces.length === 1 ? '' : 's'}\n`,
    );
    r.faces.forEach((f, i) => {
      const [x, y, w, h] = f.box.map((v) => Math.round(v));
      const eyes = f.landmarks
        .slice(0, 2)
        .map((p) => `(${Math.round(p[0])},${Math.round(p[1])})`)
        .join(' ');
      process.stdout.write(`  #${i + 1}  x=${x} y=${y} w=${w} h=${h}  score=${f.score.toFixed(3)}  eyes ${eyes}\n`);
    });
  }
}

export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length === 0 || files.some((f) => f.startsWith('--'))) {
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  let analyzer: FaceAnalyzer;
  let maxBytes: number;
  try {
    // Many images: a worker pool over all cores; a few: one in-process analyzer (no pool start-up).
    const config = readEngineConfig();
    maxBytes = config.maxBytes;
    // Damaged or missing models: one line with the fix, before any worker starts.
    await verifyModelFiles(config.modelsDir, [config.detector, DEFAULT_LANDMARKS, config.embedder]);
    analyzer = files.length >= POOL_FROM ? await createAnalyzerPool(config) : await createFaceAnalyzer(config);
  } catch (err) {
    if (!(err instanceof RankfaceError)) throw err;
    process.stderr.write(`rankface detect: ${err.message}\n`);
    return 2;
  }
  const detectOne = async (file: string): Promise<DetectResultJson> => {
    try {
      // Regular files only, size checked before reading: a FIFO or /dev/zero cannot hang the run.
      const bytes = await readRegularFile(file, maxBytes);
      const photo = await analyzer.analyze(bytes, { embed: false });
      return {
        file,
        width: photo.width,
        height: photo.height,
        faces: photo.faces.map((f) => ({
          box: f.box.map((v) => round(v, 1)) as Box,
          score: round(f.score, 4),
          landmarks: f.landmarks.map((p) => [round(p[0], 1), round(p[1], 1)]) as FivePoints,
          quality: { score: round(f.quality.score ?? 1, 4), reasons: [...(f.quality.reasons ?? [])] },
        })),
      };
    } catch (err) {
      return { file, width: null, height: null, faces: [], error: fileErrorOf(err) };
    }
  };
  let results: DetectResultJson[];
  try {
    results = await Promise.all(files.map(detectOne));
  } finally {
    await analyzer.dispose();
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else printTable(results);
  return results.some((r) => r.error) ? 1 : 0;
}
