import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { iou } from '#core/vision/nms.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, readBytes } from '../vision/helpers.ts';

// The same photo in every accepted container and colour layout (greyscale, alpha, CMYK, animated
// GIF's first frame) decodes to the same size and yields the same faces.
describeWithData('photo formats', () => {
  let analyzer: FaceAnalyzer;
  let source: Uint8Array;
  let expectedBoxes: [number, number, number, number][];
  beforeAll(async () => {
    analyzer = await defaultAnalyzer();
    source = readBytes(dataPath('group', 'pascal', '2008_001009.jpg'));
    expectedBoxes = (await analyzer.analyze(source, { embed: false })).faces.map((f) => f.box);
  });
  afterAll(async () => {
    await analyzer?.dispose();
  });

  const encoders: [string, (s: Sharp) => Sharp][] = [
    ['png', (s) => s.png()],
    ['webp', (s) => s.webp({ quality: 92 })],
    ['avif', (s) => s.avif({ quality: 70, effort: 0 })],
    ['tiff', (s) => s.tiff()],
    ['gif', (s) => s.gif()],
    ['greyscale jpeg', (s) => s.greyscale().jpeg({ quality: 92 })],
    ['png with alpha', (s) => s.ensureAlpha(0.9).png()],
    ['cmyk jpeg', (s) => s.toColourspace('cmyk').jpeg({ quality: 92 })],
    ['16-bit png', (s) => s.toColourspace('rgb16').png()],
  ];

  it.each(encoders)('%s', async (_name, encode) => {
    const bytes = new Uint8Array(await encode(sharp(source)).toBuffer());
    const photo = await analyzer.analyze(bytes, { embed: false });
    expect([photo.width, photo.height]).toEqual([360, 480]);
    expect(photo.faces.length).toBe(expectedBoxes.length);
    for (const box of expectedBoxes) expect(Math.max(...photo.faces.map((f) => iou(f.box, box)))).toBeGreaterThan(0.6);
  });

  it('reads the first frame of an animated GIF', async () => {
    // A real 2-frame animation: the photo, then a blank frame (frames stacked, pageHeight 480).
    const frame = await sharp(source).raw().toBuffer();
    const strip = Buffer.concat([frame, Buffer.alloc(frame.length, 200)]);
    const animated = await sharp(strip, { raw: { width: 360, height: 960, channels: 3, pageHeight: 480 } })
      .gif()
      .toBuffer();
    expect((await sharp(animated, { pages: -1 }).metadata()).pages).toBe(2);
    const photo = await analyzer.analyze(new Uint8Array(animated), { embed: false });
    expect([photo.width, photo.height]).toEqual([360, 480]);
    expect(photo.faces.length).toBe(expectedBoxes.length);
  });
});
