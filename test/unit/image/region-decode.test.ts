import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeRegion, readPhotoHeader } from '#core/vision/decode.ts';
import { dataPath, hasData } from '#test/helpers/data.ts';
import { readBytes } from '../vision/helpers.ts';

// The sharper second read of face regions: decoding only a rectangle of the (EXIF-oriented) photo
// gives the same pixels as that rectangle of a whole decode at the same scale.
describe.skipIf(!hasData)('decoding a region of a photo', () => {
  const limits = { maxBytes: 1e8, maxPixels: 1e8 };

  it.each([1, 6, 3])('orientation %i: region pixels match the whole decode', async (orientation) => {
    const upright = readBytes(dataPath('group', 'human', 'group-4.jpg'));
    const rotation = orientation === 6 ? -90 : orientation === 3 ? 180 : 0;
    const stored = new Uint8Array(
      await sharp(upright).rotate(rotation).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer(),
    );
    const header = await readPhotoHeader(stored, limits);
    expect([header.width, header.height]).toEqual([1929, 1447]);

    const scale = 0.5;
    const whole = await decodeImage(stored, { ...limits, maxSide: Math.floor(header.width * scale) });
    const area = { x: 700, y: 300, width: 400, height: 300 };
    const part = await decodeRegion(stored, limits, header, area, scale);
    expect(part.scale).toBeCloseTo(whole.scale, 3);
    expect([part.x, part.y, part.image.width, part.image.height]).toEqual([350, 150, 200, 150]);

    let diff = 0;
    for (let v = 0; v < part.image.height; v++) {
      for (let u = 0; u < part.image.width; u++) {
        const p = (v * part.image.width + u) * 3;
        const q = ((part.y + v) * whole.image.width + part.x + u) * 3;
        for (let c = 0; c < 3; c++) diff += Math.abs(part.image.data[p + c]! - whole.image.data[q + c]!);
      }
    }
    expect(diff / (part.image.width * part.image.height * 3)).toBeLessThan(2);
  });

  it('refuses a region outside the photo', async () => {
    const bytes = readBytes(dataPath('group', 'pascal', '2008_001322.jpg'));
    const header = await readPhotoHeader(bytes, limits);
    await expect(
      decodeRegion(bytes, limits, header, { x: 900, y: 900, width: 10, height: 10 }, 1),
    ).rejects.toMatchObject({ code: 'corrupt' });
  });
});
