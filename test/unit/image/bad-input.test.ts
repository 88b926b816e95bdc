import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FaceAnalyzer } from '#core/vision/analyzer.ts';
import { isImageDecodeError, type ImageDecodeErrorCode } from '#core/vision/decode.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { defaultAnalyzer, readBytes } from '../vision/helpers.ts';
import { cmykJpeg, heicHeaderOnly, hugePng, textAsJpeg, truncated } from './bad-inputs.ts';

// Bad inputs end as typed decode errors (code: empty / unsupported / corrupt / too-large), never a
// crash and never an unhandled rejection. A CMYK JPEG is not bad: it is decoded to RGB.
describeWithData('bad-input corpus', () => {
  let analyzer: FaceAnalyzer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const photo = (): Uint8Array => readBytes(dataPath('group', 'pascal', '2008_001322.jpg'));

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    analyzer = await defaultAnalyzer();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await analyzer?.dispose();
  });

  const cases: [string, ImageDecodeErrorCode, () => Uint8Array | Promise<Uint8Array>][] = [
    ['0 bytes', 'empty', () => new Uint8Array()],
    ['truncated JPEG', 'corrupt', () => truncated(photo())],
    ['text named .jpg', 'unsupported', textAsJpeg],
    ['20000x20000 PNG', 'too-large', () => hugePng()],
    ['HEIC header without a decodable image', 'unsupported', heicHeaderOnly],
  ];

  it.each(cases)('%s → %s', async (_name, code, make) => {
    const bytes = await make();
    const err = await analyzer.analyze(bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isImageDecodeError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
  });

  it('decodes a CMYK JPEG to RGB and finds its faces', async () => {
    const rgb = await analyzer.analyze(photo(), { embed: false });
    const cmyk = await analyzer.analyze(await cmykJpeg(photo()), { embed: false });
    expect(cmyk.width).toBe(rgb.width);
    expect(cmyk.faces.length).toBe(rgb.faces.length);
    expect(cmyk.faces.length).toBeGreaterThan(0);
  });

  it('leaves no unhandled rejection behind', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });
});
