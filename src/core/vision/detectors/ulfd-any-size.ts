import { Pb, readFields, text, type PbField } from '#core/vision/onnx/protobuf.ts';

/**
 * The ULFD network as shipped takes a fixed 320x240 input and decodes its boxes inside the graph
 * with anchors ("priors") baked in for that size. Its layers are all convolutions, so the same
 * weights run on any input size if the graph stops before that decoding: this module rewrites the
 * graph to take `[1, 3, height, width]` and to output the raw class logits and box regressions
 * (`ULFD_LOGITS`, `ULFD_REGRESSIONS`), and decodes them here with anchors made for the input size.
 *
 * Why: a pyramid level of a big photo run as one input instead of overlapping 320x240 tiles does
 * about half the convolution work (the tiles overlap by 80 px, and each pays its own edges).
 */

export const ULFD_LOGITS = 'rankface_face_logits';
export const ULFD_REGRESSIONS = 'rankface_box_regressions';

/** ULFD's anchor design (version-RFB, `generate_priors` of its reference code). */
const STRIDES = [8, 16, 32, 64] as const;
const MIN_BOXES = [
  [10, 16, 24],
  [32, 48],
  [64, 96],
  [128, 192, 256],
] as const;
const CENTER_VARIANCE = 0.1;
const SIZE_VARIANCE = 0.2;
/** The rewritten net's input sides must be multiples of this (the coarsest stride), so that its
 * feature maps and the anchors agree exactly. */
export const ULFD_SIDE_MULTIPLE = 64;

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;

interface NodeView {
  readonly raw: PbField;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** The graph rewritten for any input size, or undefined when it is not the graph expected (then
 * the caller keeps the fixed-size model and its tiles). */
export function ulfdForAnySize(model: Uint8Array): Uint8Array | undefined {
  const fields = readFields(model);
  const graphField = fields.find((f) => f.field === MODEL_GRAPH);
  if (!graphField) return undefined;
  const graph = readFields(graphField.bytes);
  const nodes: NodeView[] = graph
    .filter((f) => f.field === GRAPH_NODE)
    .map((raw) => {
      const n = readFields(raw.bytes);
      return {
        raw,
        op: text(n.find((f) => f.field === 4)!),
        inputs: n.filter((f) => f.field === 1).map(text),
        outputs: n.filter((f) => f.field === 2).map(text),
      };
    });
  const producer = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  // Logits: what the final Softmax (the `scores` output) reads. Regressions: the other Concat of
  // per-head Reshapes, the one the decoding Slices read.
  const softmax = nodes.find((n) => n.op === 'Softmax' && n.outputs[0] === 'scores');
  const logits = softmax?.inputs[0];
  const headConcat = (n: NodeView): boolean =>
    n.op === 'Concat' && n.inputs.length === 4 && n.inputs.every((i) => producer.get(i)?.op === 'Reshape');
  const regressions = nodes.find(
    (n) =>
      headConcat(n) && n.outputs[0] !== logits && nodes.some((s) => s.op === 'Slice' && s.inputs[0] === n.outputs[0]),
  )?.outputs[0];
  const inputField = graph.find((f) => f.field === GRAPH_INPUT);
  const inputName = inputField ? text(readFields(inputField.bytes).find((f) => f.field === 1)!) : undefined;
  if (!logits || !regressions || !inputName || !producer.get(logits) || !headConcat(producer.get(logits)!))
    return undefined;

  // Keep only the nodes the two outputs need (ORT would otherwise run the fixed-size decoding).
  const needed = new Set([logits, regressions]);
  const keep = new Set<NodeView>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    keep.add(n);
    for (const x of n.inputs) needed.add(x);
  }
  const renamed = (name: string): string =>
    name === logits ? ULFD_LOGITS : name === regressions ? ULFD_REGRESSIONS : name;

  const out = new Pb();
  for (const f of graph) {
    if (f.field === GRAPH_NODE) {
      const n = nodes.find((x) => x.raw === f)!;
      if (!keep.has(n)) continue;
      if (!n.outputs.some((o) => o === logits || o === regressions)) out.encoded(f.raw);
      else out.message(GRAPH_NODE, renameOutputs(f, renamed));
    } else if (f.field === GRAPH_INPUT) out.message(GRAPH_INPUT, floatValueInfo(inputName, [1, 3, 'height', 'width']));
    else if (f.field === GRAPH_OUTPUT || f.field === GRAPH_VALUE_INFO)
      continue; // fixed-size shapes
    else if (f.field === GRAPH_INITIALIZER && !needed.has(initializerName(f)))
      continue; // the decoding's constants
    else out.encoded(f.raw);
  }
  out.message(GRAPH_OUTPUT, floatValueInfo(ULFD_LOGITS)).message(GRAPH_OUTPUT, floatValueInfo(ULFD_REGRESSIONS));
  const result = new Pb();
  for (const f of fields) result.encoded(f.field === MODEL_GRAPH ? new Pb().message(MODEL_GRAPH, out).finish() : f.raw);
  return result.finish();
}

function initializerName(f: PbField): string {
  const name = readFields(f.bytes).find((x) => x.field === 8);
  return name ? text(name) : '';
}

function renameOutputs(node: PbField, renamed: (name: string) => string): Pb {
  const n = new Pb();
  for (const f of readFields(node.bytes)) {
    if (f.field === 2) n.string(2, renamed(text(f)));
    else n.encoded(f.raw);
  }
  return n;
}

function floatValueInfo(name: string, dims?: readonly (number | string)[]): Pb {
  const tensor = new Pb().int(1, 1);
  if (dims) {
    const shape = new Pb();
    for (const d of dims) shape.message(1, typeof d === 'string' ? new Pb().string(2, d) : new Pb().int(1, d));
    tensor.message(2, shape);
  }
  return new Pb().string(1, name).message(2, new Pb().message(1, tensor));
}

/** Anchors for a `width` x `height` input, [cx, cy, w, h] normalised to the input, in the order of
 * the network's outputs (stride, then row, column, anchor size). */
export function ulfdAnchors(width: number, height: number): Float32Array {
  const count = STRIDES.reduce((n, s, k) => n + Math.ceil(width / s) * Math.ceil(height / s) * MIN_BOXES[k]!.length, 0);
  const out = new Float32Array(count * 4);
  let at = 0;
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  STRIDES.forEach((stride, k) => {
    const fw = Math.ceil(width / stride),
      fh = Math.ceil(height / stride);
    for (let j = 0; j < fh; j++)
      for (let i = 0; i < fw; i++)
        for (const size of MIN_BOXES[k]!) {
          // Centres spread over the feature map, as the shipped graph's baked anchors are (the
          // reference code divides by size/stride instead; the two agree when the stride divides the
          // side, as it always does for the padded inputs used here).
          out[at++] = clamp((i + 0.5) / fw);
          out[at++] = clamp((j + 0.5) / fh);
          out[at++] = clamp(size / width);
          out[at++] = clamp(size / height);
        }
  });
  return out;
}

export interface UlfdCandidate {
  readonly score: number;
  /** Corners in input pixels. */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Anchors scoring at least `threshold`, decoded as the shipped graph decodes them (softmax of the
 * two logits; centre offsets × 0.1 and log sizes × 0.2 of the anchor). */
export function decodeUlfd(
  logits: Float32Array,
  regressions: Float32Array,
  anchors: Float32Array,
  width: number,
  height: number,
  threshold: number,
): UlfdCandidate[] {
  const n = anchors.length / 4;
  if (logits.length !== n * 2 || regressions.length !== n * 4)
    throw new Error(`ulfd: ${logits.length / 2} outputs for ${n} anchors (input ${width}x${height})`);
  const out: UlfdCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const score = 1 / (1 + Math.exp(logits[i * 2]! - logits[i * 2 + 1]!));
    if (score < threshold) continue;
    const aw = anchors[i * 4 + 2]!,
      ah = anchors[i * 4 + 3]!;
    const cx = regressions[i * 4]! * CENTER_VARIANCE * aw + anchors[i * 4]!;
    const cy = regressions[i * 4 + 1]! * CENTER_VARIANCE * ah + anchors[i * 4 + 1]!;
    const w = Math.exp(regressions[i * 4 + 2]! * SIZE_VARIANCE) * aw;
    const h = Math.exp(regressions[i * 4 + 3]! * SIZE_VARIANCE) * ah;
    out.push({
      score,
      x1: (cx - w / 2) * width,
      y1: (cy - h / 2) * height,
      x2: (cx + w / 2) * width,
      y2: (cy + h / 2) * height,
    });
  }
  return out;
}
