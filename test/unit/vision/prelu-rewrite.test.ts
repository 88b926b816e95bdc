import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEngineConfig } from '#config/engine.ts';
import { rewritePreluAsDepthwise } from '#core/vision/onnx/prelu-as-depthwise.ts';
import { readFields, text } from '#core/vision/onnx/protobuf.ts';
import { loadOnnxSession } from '#core/vision/runtime/onnx.ts';
import type { InferenceSession } from '#core/vision/runtime/types.ts';
import { parseTflite } from '#core/vision/tflite/schema.ts';
import { tfliteToOnnx } from '#core/vision/tflite/to-onnx.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { labelledFiles } from './helpers.ts';

/** The PReLU rewrite (per-channel PRelu → depthwise 1x1 convolutions + Relu + Add) leaves every
 * output of the real embedders bit-identical on real faces, removes every PRelu, and leaves a model
 * without PReLUs untouched. Speed is measured by bench/engine-profile, not here. */

const modelsDir = readEngineConfig({}).modelsDir;

function opTypes(model: Uint8Array): string[] {
  const graph = readFields(readFields(model).find((f) => f.field === 7)!.bytes);
  return graph.filter((f) => f.field === 1).map((f) => text(readFields(f.bytes).find((n) => n.field === 4)!));
}

/** A real LFW photo's centre (the face) as the embedder's NCHW input, (v-127.5)/128. */
async function faceTensor(path: string, layout: 'nchw' | 'nhwc'): Promise<Float32Array> {
  const { data } = await sharp(path).extract({ left: 69, top: 69, width: 112, height: 112 }).raw().toBuffer({
    resolveWithObject: true,
  });
  const out = new Float32Array(3 * 112 * 112);
  for (let i = 0; i < 112 * 112; i++)
    for (let c = 0; c < 3; c++)
      out[layout === 'nchw' ? c * 112 * 112 + i : i * 3 + c] = (data[i * 3 + c]! - 127.5) / 128;
  return out;
}

async function outputsOf(session: InferenceSession, inputs: readonly Float32Array[], dims: number[]) {
  const out: Float32Array[] = [];
  for (const data of inputs) {
    const res = await session.run({ [session.inputNames[0]!]: { data, dims } });
    out.push(res[session.outputNames[0]!]!.data);
  }
  return out;
}

describeWithData('PReLU rewritten as depthwise convolutions', () => {
  const sessions: InferenceSession[] = [];
  const photos = labelledFiles('lfw-df-dev')
    .filter((_, i) => i % 50 === 0)
    .map(([, p]) => p);
  afterAll(async () => Promise.all(sessions.map((s) => s.dispose())));

  const cases = [
    {
      name: 'ArcFace-style embedder (faceplugin-arcface512)',
      layout: 'nchw' as const,
      dims: [1, 3, 112, 112],
      model: async () => new Uint8Array(await readFile(join(modelsDir, 'faceplugin-arcface512', 'model.onnx'))),
      prelus: 33,
    },
    {
      name: 'MobileFaceNet (TFLite rewritten to ONNX)',
      layout: 'nhwc' as const,
      dims: [1, 112, 112, 3],
      model: async () =>
        tfliteToOnnx(parseTflite(new Uint8Array(await readFile(join(modelsDir, 'mobilefacenet', 'model.tflite'))))),
      prelus: undefined,
    },
  ];

  for (const c of cases) {
    let model: Uint8Array;
    beforeAll(async () => {
      model = await c.model();
    });

    it(`${c.name}: no PRelu left, and the same outputs bit for bit on real faces`, async () => {
      const before = opTypes(model).filter((op) => op === 'PRelu').length;
      expect(before).toBeGreaterThan(0);
      if (c.prelus !== undefined) expect(before).toBe(c.prelus);
      const { model: rewritten, rewritten: count } = rewritePreluAsDepthwise(model);
      expect(count).toBe(before);
      expect(opTypes(rewritten)).not.toContain('PRelu');

      const asShipped = await loadOnnxSession(model, { threads: 1, rewritePrelu: false });
      const fast = await loadOnnxSession(model, { threads: 1 });
      sessions.push(asShipped, fast);
      const inputs = await Promise.all(photos.map((p) => faceTensor(p, c.layout)));
      const want = await outputsOf(asShipped, inputs, c.dims);
      const got = await outputsOf(fast, inputs, c.dims);
      expect(got.length).toBe(photos.length);
      got.forEach((g, i) => expect(Buffer.from(g.buffer).equals(Buffer.from(want[i]!.buffer))).toBe(true));
    });
  }

  it('a model without PRelu (the ULFD detector) is returned as it was', async () => {
    const model = new Uint8Array(await readFile(join(modelsDir, 'ulfd-rfb320', 'model.onnx')));
    const r = rewritePreluAsDepthwise(model);
    expect(r.rewritten).toBe(0);
    expect(r.model).toBe(model);
  });
});
