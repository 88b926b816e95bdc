import { Pb, readFields, text, type PbField } from '#core/vision/onnx/protobuf.ts';

/** ONNX field numbers used here (onnx.proto3). */
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const TENSOR_DIMS = 1;
const TENSOR_TYPE = 2;
const TENSOR_FLOATS = 4;
const TENSOR_NAME = 8;
const TENSOR_RAW = 9;
const VALUE_INFO_NAME = 1;
const ONNX_FLOAT = 1;

export interface PreluRewrite {
  readonly model: Uint8Array;
  /** PRelu nodes replaced (0: the model is returned as it was). */
  readonly rewritten: number;
}

/**
 * Rewrites every per-channel PRelu (slope a float initializer of shape [C,1,1] or [1,C,1,1]) as
 *
 *     y = Relu(x) + DepthwiseConv1x1(-s)(Relu(DepthwiseConv1x1(-1)(x)))
 *
 * Why: ONNX Runtime's CPU PRelu is a slow broadcast kernel, and it is not in the NCHWc layout that
 * the convolutions run in, so each one also costs a reorder out and back in. On the ArcFace-style
 * embedder (33 PReLUs) PRelu took 60% of the time and reorders another 9%; rewritten, every op is a
 * convolution or Relu that ORT fuses and keeps in NCHWc, and the embedder runs ~2.5x faster.
 *
 * Exact, not approximate: for x > 0 the second term is -s·0 = 0 and y = x; for x <= 0 it is
 * (-s)·(-x) = s·x, the same single product PRelu computes (negation is exact), added to 0. The
 * outputs are bit-identical (test/unit/vision/prelu-rewrite.test.ts). Nodes of another shape of
 * slope (a scalar, a [C] vector on a rank-2 input) are left as they are.
 */
export function rewritePreluAsDepthwise(model: Uint8Array): PreluRewrite {
  const fields = readFields(model);
  const graphField = fields.find((f) => f.field === MODEL_GRAPH);
  if (!graphField) return { model, rewritten: 0 };
  const graph = readFields(graphField.bytes);

  const slopes = new Map<string, Float32Array>();
  for (const f of graph) if (f.field === GRAPH_INITIALIZER) addPerChannelSlope(f, slopes);
  const graphInputs = new Set(
    graph.filter((f) => f.field === GRAPH_INPUT).map((f) => textOf(readFields(f.bytes), VALUE_INFO_NAME)),
  );

  const uses = new Map<string, number>();
  const nodes = graph.filter((f) => f.field === GRAPH_NODE).map((f) => ({ field: f, node: readFields(f.bytes) }));
  for (const { node } of nodes)
    for (const i of node) if (i.field === NODE_INPUT) uses.set(text(i), (uses.get(text(i)) ?? 0) + 1);

  const out = new Pb();
  const added: Pb[] = [];
  const replacedSlopes = new Set<string>();
  let rewritten = 0;
  let nodeIndex = 0;
  for (const f of graph) {
    if (f.field === GRAPH_INITIALIZER) continue; // written after the nodes, minus slopes now unused
    if (f.field !== GRAPH_NODE) {
      out.encoded(f.raw);
      continue;
    }
    const { node } = nodes[nodeIndex++]!;
    const slopeName = isPrelu(node) ? node.filter((i) => i.field === NODE_INPUT).map(text)[1] : undefined;
    const slope = slopeName === undefined ? undefined : slopes.get(slopeName);
    if (slopeName === undefined || slope === undefined) {
      out.encoded(f.raw);
      continue;
    }
    const x = node.filter((i) => i.field === NODE_INPUT).map(text)[0]!;
    const y = node.filter((i) => i.field === NODE_OUTPUT).map(text)[0]!;
    const p = `rankface_prelu${rewritten}`;
    const c = slope.length;
    added.push(
      floatInitializer(`${p}_minus_one`, [c, 1, 1, 1], new Float32Array(c).fill(-1)),
      floatInitializer(
        `${p}_minus_slope`,
        [c, 1, 1, 1],
        slope.map((v) => -v),
      ),
    );
    out
      .message(GRAPH_NODE, depthwise(x, `${p}_minus_one`, `${p}_neg`, `${p}_neg_conv`, c))
      .message(GRAPH_NODE, plainNode('Relu', [`${p}_neg`], [`${p}_neg_relu`], `${p}_neg_relu`))
      .message(GRAPH_NODE, depthwise(`${p}_neg_relu`, `${p}_minus_slope`, `${p}_negative_part`, `${p}_scale`, c))
      .message(GRAPH_NODE, plainNode('Relu', [x], [`${p}_positive_part`], `${p}_relu`))
      .message(GRAPH_NODE, plainNode('Add', [`${p}_positive_part`, `${p}_negative_part`], [y], `${p}_add`));
    uses.set(slopeName, (uses.get(slopeName) ?? 1) - 1);
    replacedSlopes.add(slopeName);
    rewritten++;
  }
  if (rewritten === 0) return { model, rewritten: 0 };

  for (const f of graph) {
    if (f.field !== GRAPH_INITIALIZER) continue;
    const name = textOf(readFields(f.bytes), TENSOR_NAME);
    // A slope no node reads any more is dropped (ORT would warn about it on every load), unless an
    // old-style model also lists it as a graph input.
    if (replacedSlopes.has(name) && (uses.get(name) ?? 0) <= 0 && !graphInputs.has(name)) continue;
    out.encoded(f.raw);
  }
  for (const i of added) out.message(GRAPH_INITIALIZER, i);

  const result = new Pb();
  for (const f of fields)
    result.encoded(f.field === MODEL_GRAPH ? new Pb().bytes(MODEL_GRAPH, out.finish()).finish() : f.raw);
  return { model: result.finish(), rewritten };
}

function isPrelu(node: readonly PbField[]): boolean {
  const domain = node.find((f) => f.field === NODE_DOMAIN);
  const onDefaultDomain = domain === undefined || text(domain) === '' || text(domain) === 'ai.onnx';
  return onDefaultDomain && textOf(node, NODE_OP) === 'PRelu';
}

function textOf(fields: readonly PbField[], field: number): string {
  const f = fields.find((x) => x.field === field);
  return f ? text(f) : '';
}

/** Records a float initializer shaped like a per-channel slope of an NCHW activation. */
function addPerChannelSlope(f: PbField, slopes: Map<string, Float32Array>): void {
  const t = readFields(f.bytes);
  const dims = t.filter((x) => x.field === TENSOR_DIMS && x.wire === 0).map((x) => x.value);
  const packedDims = t.some((x) => x.field === TENSOR_DIMS && x.wire === 2);
  const type = t.find((x) => x.field === TENSOR_TYPE)?.value;
  if (packedDims || type !== ONNX_FLOAT) return;
  const channels = perChannel(dims);
  if (channels === undefined) return;
  const values = floatData(t);
  if (values?.length === channels) slopes.set(textOf(t, TENSOR_NAME), values);
}

function perChannel(dims: readonly number[]): number | undefined {
  if (dims.length === 3 && dims[1] === 1 && dims[2] === 1) return dims[0];
  if (dims.length === 4 && dims[0] === 1 && dims[2] === 1 && dims[3] === 1) return dims[1];
  return undefined;
}

function floatData(t: readonly PbField[]): Float32Array | undefined {
  const raw = t.find((x) => x.field === TENSOR_RAW);
  if (raw) return raw.bytes.length % 4 === 0 ? littleEndianFloats(raw.bytes) : undefined;
  const packed = t.filter((x) => x.field === TENSOR_FLOATS);
  if (packed.length === 0) return undefined;
  if (packed.every((x) => x.wire === 5)) return littleEndianFloats(concat(packed.map((x) => x.bytes)));
  if (packed.length === 1 && packed[0]!.wire === 2) return littleEndianFloats(packed[0]!.bytes);
  return undefined;
}

function littleEndianFloats(b: Uint8Array): Float32Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Float32Array.from({ length: b.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function floatInitializer(name: string, dims: readonly number[], data: Float32Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(TENSOR_DIMS, d);
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return t.int(TENSOR_TYPE, ONNX_FLOAT).string(TENSOR_NAME, name).bytes(TENSOR_RAW, bytes);
}

function plainNode(op: string, inputs: readonly string[], outputs: readonly string[], name: string): Pb {
  const n = new Pb();
  for (const i of inputs) n.string(NODE_INPUT, i);
  for (const o of outputs) n.string(NODE_OUTPUT, o);
  return n.string(NODE_NAME, name).string(NODE_OP, op);
}

/** A 1x1 depthwise convolution (group = channels): a per-channel scale ORT runs in NCHWc. */
function depthwise(input: string, weights: string, output: string, name: string, channels: number): Pb {
  const group = new Pb().string(1, 'group').int(3, channels).int(20, 2);
  return plainNode('Conv', [input, weights], [output], name).message(NODE_ATTRIBUTE, group);
}
