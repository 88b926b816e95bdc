import { describe, expect, it } from 'vitest';
import { TfliteUnsupportedError, TfliteUnsupportedOpError } from '#core/vision/tflite/errors.ts';
import { TfliteInterpreter } from '#core/vision/tflite/interpreter.ts';
import { parseTflite } from '#core/vision/tflite/schema.ts';
import { buildTfliteModel } from './tflite-test-model.ts';

/** A model using an op the interpreter does not map fails at load with a typed error that names
 * the op, before anything runs. */

describe('tflite unsupported op', () => {
  it('names the op and its position', () => {
    const bytes = buildTfliteModel({
      tensors: [{ shape: [1, 4] }, { shape: [1, 4] }, { shape: [1, 4] }],
      inputs: [0],
      outputs: [2],
      ops: [
        { op: 'RELU', inputs: [0], outputs: [1] },
        { op: 'LOCAL_RESPONSE_NORMALIZATION', inputs: [1], outputs: [2] },
      ],
    });
    let caught: unknown;
    try {
      new TfliteInterpreter(parseTflite(bytes));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TfliteUnsupportedOpError);
    expect(caught).toBeInstanceOf(TfliteUnsupportedError);
    const e = caught as TfliteUnsupportedOpError;
    expect(e.op).toBe('LOCAL_RESPONSE_NORMALIZATION');
    expect(e.opIndex).toBe(1);
    expect(e.message).toContain('LOCAL_RESPONSE_NORMALIZATION');
  });
});
