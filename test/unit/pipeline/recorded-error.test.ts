import { describe, expect, it } from 'vitest';
import { MixedModelsError } from '#core/cluster/prepare.ts';
import { RankfaceError } from '#core/errors.ts';
import { toRecordedError } from '#core/pipeline/errors.ts';
import { ImageDecodeError } from '#core/vision/decode.ts';
import { PoolTaskError } from '#core/vision/pool.ts';
import { TfliteUnsupportedOpError } from '#core/vision/tflite/errors.ts';

describe('a failure recorded on a photo keeps the stable code of rankface errors only', () => {
  it('keeps the code and message of every RankfaceError subclass, named after its class', () => {
    const cause = new Error('sharp says no');
    const errors = [
      new ImageDecodeError('corrupt', 'bad bytes', { cause }),
      new MixedModelsError(['a', 'b']),
      new TfliteUnsupportedOpError('FOO', 3),
    ];
    expect(errors.map((e) => [e instanceof RankfaceError, e.name, toRecordedError(e).code])).toEqual([
      [true, 'ImageDecodeError', 'corrupt'],
      [true, 'MixedModelsError', 'mixed-models'],
      [true, 'TfliteUnsupportedOpError', 'tflite-unsupported'],
    ]);
    expect(errors[0].cause).toBe(cause);
    expect(toRecordedError(errors[0]).message).toBe('bad bytes');
  });

  it('keeps the worker-side name and code of a pool task error', () => {
    const err = new PoolTaskError('TfliteFormatError', 'not a flatbuffer', 'tflite-format');
    expect([err.name, toRecordedError(err)]).toEqual([
      'TfliteFormatError',
      { code: 'tflite-format', message: 'not a flatbuffer' },
    ]);
  });

  it("records foreign errors as 'internal', even when they carry a code of their own", () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect([toRecordedError(enoent), toRecordedError('boom')]).toEqual([
      { code: 'internal', message: 'ENOENT: no such file' },
      { code: 'internal', message: 'boom' },
    ]);
  });
});
