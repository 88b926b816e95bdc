import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Point } from '#core/types.ts';
import { applyAffine, similarityTransform, warpAffine, type Affine } from '#core/vision/align.ts';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { decodeImage } from '#core/vision/decode.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import { describeWithData, hasData } from '#test/helpers/data.ts';
import { defaultAnalyzer, labelledFiles, readBytes } from './helpers.ts';

// Alignment puts the eyes where the embedder's template wants them. Checked twice: the fitted
// similarity maps the detected eyes onto the template, and the *pixels* really moved there: a
// photo warped by the same transform (at 3x, with a margin, so the detector sees a whole face)
// shows its eyes, re-detected from scratch, at the template's eye positions.
describeWithData('aligned eyes land on the template', () => {
  let analyzer: FaceAnalyzer;
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
  });
  afterAll(async () => {
    await analyzer?.dispose();
  });

  const dist = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const files = hasData ? labelledFiles('lfw-120').filter((_, i) => i % 25 === 0) : [];

  it.each(files)('%s: eyes on the template', async (_id, file) => {
    const bytes = readBytes(file);
    const photo = await analyzer.analyze(bytes, { embed: false });
    const face = photo.faces[indexOfFaceNearestCentre(photo.faces, photo.width, photo.height)]!;
    const template = analyzer.template.points;
    const iod = dist(template[0]!, template[1]!);

    // 1. The transform the analyzer used takes the eyes to the template (least-squares residual).
    const toCrop = similarityTransform(face.landmarks, template);
    for (const e of [0, 1])
      expect(dist(applyAffine(toCrop, face.landmarks[e]!), template[e]!)).toBeLessThan(0.15 * iod);
    expect(face.crop.width).toBe(analyzer.template.size);

    // 2. Warp the pixels at 3x with a 112 px margin, re-detect, compare eye positions.
    const k = 3,
      margin = analyzer.template.size,
      size = analyzer.template.size * k + 2 * margin;
    const m: Affine = [
      toCrop[0] * k,
      toCrop[1] * k,
      toCrop[2] * k + margin,
      toCrop[3] * k,
      toCrop[4] * k,
      toCrop[5] * k + margin,
    ];
    const decoded = await decodeImage(bytes, { maxBytes: 1e8, maxPixels: 1e8, maxSide: 4096 });
    const warped = warpAffine(decoded.image, m, size, size);
    const png = await sharp(warped.data, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer();
    const again = await analyzer.analyze(new Uint8Array(png), { embed: false });
    const main = again.faces[indexOfFaceNearestCentre(again.faces, size, size)];
    expect(main).toBeDefined();
    for (const e of [0, 1]) {
      const expected: Point = [template[e]![0] * k + margin, template[e]![1] * k + margin];
      expect(dist(main!.landmarks[e]!, expected)).toBeLessThan(0.2 * iod * k);
    }
  });
});
