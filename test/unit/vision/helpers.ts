import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readEngineConfig } from '#config/engine.ts';
import type { Box } from '#core/types.ts';
import { createFaceAnalyzer, type AnalyzerOptions, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import { dataPath } from '#test/helpers/data.ts';

/** Shared bits of the engine's tests: the default analyzer and the labelled data on disk. */

export function defaultAnalyzer(options: AnalyzerOptions = {}): Promise<FaceAnalyzer> {
  return createFaceAnalyzer(readEngineConfig({}), options);
}

export const readBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** Files of a folder-per-identity set, sorted, as [identity, path]. */
export function labelledFiles(set: string): [string, string][] {
  const dir = dataPath(set);
  return readdirSync(dir)
    .sort()
    .flatMap((id) =>
      readdirSync(join(dir, id))
        .sort()
        .map((f): [string, string] => [id, join(dir, id, f)]),
    );
}

export interface GroupAnnotation {
  readonly faces?: number | readonly { x: number; y: number; w: number; h: number }[];
  readonly faces_approx?: number;
  readonly faces_labelled?: number;
}

export function groupAnnotations(): Record<string, GroupAnnotation> {
  return JSON.parse(readFileSync(dataPath('group', 'annotations.json'), 'utf8')) as Record<string, GroupAnnotation>;
}

export const boxOf = (f: { x: number; y: number; w: number; h: number }): Box => [f.x, f.y, f.w, f.h];

/** A photo file re-encoded as a 12 MP JPEG (q90, orientation applied): a phone-size copy of the
 * small photos in ../shared/data. */
export async function at12Mp(file: string): Promise<Uint8Array> {
  const meta = await sharp(file).metadata();
  const k = Math.sqrt(12e6 / (meta.width! * meta.height!));
  const out = await sharp(file)
    .rotate()
    .resize(Math.round(meta.width! * k), Math.round(meta.height! * k))
    .jpeg({ quality: 90 })
    .toBuffer();
  return new Uint8Array(out);
}
