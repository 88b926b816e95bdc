import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { cosine } from '#core/vision/vector.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// Detection runs on a downscaled copy; a face that is small there is aligned on a sharper decode,
// so its vector stays close to the one from the full-resolution photo.
describeWithData('small faces of downscaled photos are aligned on a sharper copy', () => {
  let full: FaceAnalyzer;
  let tinySharp: FaceAnalyzer;
  let tinyBlurry: FaceAnalyzer;
  beforeAll(async () => {
    [full, tinySharp, tinyBlurry] = await Promise.all([
      defaultAnalyzer(),
      defaultAnalyzer({ maxSide: 110 }),
      defaultAnalyzer({ maxSide: 110, sharpAlign: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([full, tinySharp, tinyBlurry].map((a) => a?.dispose()));
  });

  it('keeps vectors closer to the full-resolution ones than aligning on the small copy', async () => {
    let sharpSum = 0;
    let blurrySum = 0;
    const files = labelledFiles('lfw-120').filter((_, i) => i % 30 === 0);
    for (const [, file] of files) {
      const bytes = readBytes(file);
      const vectorOf = async (a: FaceAnalyzer): Promise<Float32Array> => {
        const p = await a.analyze(bytes);
        return p.faces[indexOfFaceNearestCentre(p.faces, p.width, p.height)]!.embedding!.vector;
      };
      const reference = await vectorOf(full);
      const sharp = await vectorOf(tinySharp);
      const blurry = await vectorOf(tinyBlurry);
      sharpSum += cosine(reference, sharp);
      blurrySum += cosine(reference, blurry);
    }
    expect(sharpSum / files.length).toBeGreaterThan(blurrySum / files.length + 0.008);
    expect(sharpSum / files.length).toBeGreaterThan(0.97);
  });
});
