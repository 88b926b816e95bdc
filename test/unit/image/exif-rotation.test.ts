import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { iou } from '#core/vision/nms.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, readBytes } from '../vision/helpers.ts';

// A photo stored sideways with an EXIF orientation tag (as phones write them) is analysed upright:
// same size as the upright photo, and the boxes land on the same faces, in the upright frame.
describeWithData('EXIF orientation', () => {
  let analyzer: FaceAnalyzer;
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
  });
  afterAll(async () => {
    await analyzer?.dispose();
  });

  // Orientation 6: "rotate 90° clockwise to display", so the stored pixels are the upright photo
  // turned 90° counter-clockwise. 8 is the other way, 3 is upside down.
  it.each([
    [6, -90],
    [8, 90],
    [3, 180],
  ])('orientation %i: boxes stay on the faces', async (orientation, storedRotation) => {
    const upright = readBytes(dataPath('group', 'pascal', '2008_001322.jpg'));
    const stored = await sharp(upright)
      .rotate(storedRotation)
      .withMetadata({ orientation })
      .jpeg({ quality: 95 })
      .toBuffer();
    const meta = await sharp(stored).metadata();
    expect(meta.orientation).toBe(orientation);

    const expected = await analyzer.analyze(upright, { embed: false });
    const rotated = await analyzer.analyze(new Uint8Array(stored), { embed: false });
    expect([rotated.width, rotated.height]).toEqual([expected.width, expected.height]);
    expect(expected.faces.length).toBeGreaterThan(0);
    expect(rotated.faces.length).toBe(expected.faces.length);
    for (const face of expected.faces) {
      expect(Math.max(...rotated.faces.map((r) => iou(r.box, face.box)))).toBeGreaterThan(0.7);
    }
  });
});
