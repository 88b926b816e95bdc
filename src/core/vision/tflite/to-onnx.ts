import { Activation, Padding } from '#core/vision/tflite/builtin-ops.ts';
import { readConstant, type ConstantValue } from '#core/vision/tflite/constants.ts';
import { TfliteUnsupportedError, TfliteUnsupportedOpError } from '#core/vision/tflite/errors.ts';
import { GraphView, type PreluMatch } from '#core/vision/tflite/graph.ts';
import { TableReader, TensorType, type TfliteModel } from '#core/vision/tflite/schema.ts';
import { Pb } from '#core/vision/onnx/protobuf.ts';

/** Rewrites a float TFLite CNN as an in-memory ONNX model, so it can run on ONNX Runtime (several
 * times faster than tfjs-wasm on CPU). Same weights, same op semantics; a narrower op set than the
 * tfjs interpreter (what MobileFaceNet-class CNNs need). Anything else throws
 * `TfliteUnsupportedOpError`, and callers fall back to the tfjs interpreter.
 *
 * Layout: TFLite is NHWC, ONNX convolutions are NCHW. The ONNX graph keeps the TFLite input
 * (NHWC, batch left free as "N") and transposes once; every rank-4 activation inside is NCHW;
 * rank-1 per-channel constants become [C,1,1] so they broadcast over NCHW; a RESHAPE out of rank 4
 * transposes back to NHWC first, so the element order matches TFLite's. SAME padding is
 * auto_pad=SAME_UPPER (extra padding at the end, as TensorFlow does). */

const ONNX_FLOAT = 1;
const ONNX_INT64 = 7;
const OPSET = 13;
const IR_VERSION = 8;

/** Host-side transpose of a dense row-major array. */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d];
  }
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

interface Attr {
  readonly name: string;
  readonly i?: number;
  readonly ints?: readonly number[];
  readonly s?: string;
  readonly f?: number;
}

function attribute(a: Attr): Pb {
  const m = new Pb().string(1, a.name);
  if (a.f !== undefined) m.float(2, a.f).int(20, 1);
  else if (a.i !== undefined) m.int(3, a.i).int(20, 2);
  else if (a.s !== undefined) m.bytes(4, new TextEncoder().encode(a.s)).int(20, 3);
  else if (a.ints) {
    for (const v of a.ints) m.int(8, v);
    m.int(20, 7);
  }
  return m;
}

function valueInfo(name: string, dims: readonly (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.message(1, typeof d === 'string' ? new Pb().string(2, d) : new Pb().int(1, d));
  const tensorType = new Pb().int(1, ONNX_FLOAT).message(2, shape);
  return new Pb().string(1, name).message(2, new Pb().message(1, tensorType));
}

class OnnxGraph {
  private readonly nodes: Pb[] = [];
  private readonly initializers: Pb[] = [];
  private counter = 0;

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: readonly Attr[] = []): void {
    const n = new Pb();
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, this.fresh(op)).string(4, op);
    for (const a of attrs) n.message(5, attribute(a));
    this.nodes.push(n);
  }

  floatInit(name: string, dims: readonly number[], data: Float32Array): string {
    const t = new Pb();
    for (const d of dims) t.int(1, d);
    t.int(2, ONNX_FLOAT)
      .string(8, name)
      .bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.initializers.push(t);
    return name;
  }

  int64Init(name: string, values: readonly number[]): string {
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    const t = new Pb().int(1, values.length).int(2, ONNX_INT64).string(8, name).bytes(9, new Uint8Array(raw.buffer));
    this.initializers.push(t);
    return name;
  }

  model(inputs: Pb[], outputs: Pb[]): Uint8Array {
    const g = new Pb();
    for (const n of this.nodes) g.message(1, n);
    g.string(2, 'tflite');
    for (const i of this.initializers) g.message(5, i);
    for (const i of inputs) g.message(11, i);
    for (const o of outputs) g.message(12, o);
    return new Pb()
      .int(1, IR_VERSION)
      .string(2, 'rankface-tflite')
      .message(7, g)
      .message(8, new Pb().string(1, '').int(2, OPSET))
      .finish();
  }
}

/** Convert the main subgraph. Throws TfliteUnsupportedOpError / TfliteUnsupportedError. */
export function tfliteToOnnx(model: TfliteModel): Uint8Array {
  const sg = model.subgraphs[0];
  if (!sg) throw new TfliteUnsupportedError('model has no subgraph');
  const constants = new Map<number, ConstantValue>();
  sg.tensors.forEach((t, i) => {
    const c = readConstant(model, t);
    if (c) constants.set(i, c);
  });
  return new SubgraphConverter(model, sg, constants).convert();
}

type Subgraph = TfliteModel['subgraphs'][number];
type Operator = Subgraph['operators'][number];

/** One subgraph's conversion: the ONNX graph being built and the ONNX value name of each TFLite
 * activation (NCHW when rank 4). Operators are converted in order; a spelled-out PReLU is absorbed
 * into one PRelu node. */
class SubgraphConverter {
  private readonly view: GraphView;
  private readonly prelus: Map<number, PreluMatch>;
  private readonly onnx = new OnnxGraph();
  private readonly names = new Map<number, string>();
  private readonly absorbed = new Set<number>();

  constructor(
    private readonly model: TfliteModel,
    private readonly sg: Subgraph,
    private readonly constants: Map<number, ConstantValue>,
  ) {
    this.view = new GraphView(model, constants);
    this.prelus = this.view.spelledPrelus();
  }

  convert(): Uint8Array {
    const { sg, onnx, names } = this;
    for (const t of sg.inputs) {
      if (sg.tensors[t].type !== TensorType.FLOAT32)
        throw new TfliteUnsupportedError('only float32 inputs are supported');
      if (this.rank(t) === 4) {
        const nchw = onnx.fresh('input_nchw');
        onnx.node('Transpose', [`in_${t}`], [nchw], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
        names.set(t, nchw);
      } else names.set(t, `in_${t}`);
    }
    sg.operators.forEach((op, k) => {
      if (!this.absorbed.has(k)) this.operator(op, k);
    });
    const graphOutputs: Pb[] = [];
    for (const t of sg.outputs) {
      const n = names.get(t);
      if (!n) throw new TfliteUnsupportedError(`output tensor ${t} is not produced`);
      const outName = `out_${t}`;
      if (this.rank(t) === 4) onnx.node('Transpose', [n], [outName], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
      else onnx.node('Identity', [n], [outName]);
      graphOutputs.push(
        valueInfo(
          outName,
          sg.tensors[t].shape.map((d, i) => (i === 0 ? 'N' : d)),
        ),
      );
    }
    const graphInputs = sg.inputs.map((t) =>
      valueInfo(
        `in_${t}`,
        sg.tensors[t].shape.map((d, i) => (i === 0 ? 'N' : d)),
      ),
    );
    return onnx.model(graphInputs, graphOutputs);
  }

  private rank(t: number): number {
    return this.sg.tensors[t].shape.length;
  }

  private constName(t: number, layout: 'asis' | 'nchw-broadcast'): string {
    const c = this.constants.get(t);
    if (!c || c.dtype !== 'float32') throw new TfliteUnsupportedError(`tensor ${t} must be a float constant`);
    const shape =
      layout === 'nchw-broadcast' && c.shape.length === 1
        ? [c.shape[0], 1, 1]
        : layout === 'nchw-broadcast' && c.shape.length === 4
          ? [c.shape[0], c.shape[3], c.shape[1], c.shape[2]]
          : [...c.shape];
    const data = layout === 'nchw-broadcast' && c.shape.length === 4 ? permute(c.data, c.shape, [0, 3, 1, 2]) : c.data;
    return this.onnx.floatInit(this.onnx.fresh(`c${t}`), shape, data);
  }

  /** Name of an op input: an activation, or a constant laid out to broadcast against NCHW. */
  private value(t: number, against: number): string {
    const n = this.names.get(t);
    if (n) return n;
    return this.constName(t, this.rank(against) === 4 ? 'nchw-broadcast' : 'asis');
  }

  private activation(out: string, code: number, opIndex: number, opName: string): string {
    if (code === Activation.NONE) return out;
    const { onnx } = this;
    const y = onnx.fresh('act');
    if (code === Activation.RELU) onnx.node('Relu', [out], [y]);
    else if (code === Activation.RELU6)
      onnx.node(
        'Clip',
        [
          out,
          onnx.floatInit(onnx.fresh('zero'), [], Float32Array.of(0)),
          onnx.floatInit(onnx.fresh('six'), [], Float32Array.of(6)),
        ],
        [y],
      );
    else
      throw new TfliteUnsupportedError(
        `${opName} (operator #${opIndex}): fused activation ${code} is not supported by the ONNX export`,
      );
    return y;
  }

  private operator(op: Operator, k: number): void {
    const name = this.view.opName(k);
    const o = new TableReader(this.model.bb, op.builtinOptionsPos);
    const standalone = [...this.prelus.values()].find((p) => p.ops.includes(k));
    if (standalone) return this.prelu(standalone);
    switch (name) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
        return this.conv(op, k, name, o);
      case 'ADD':
      case 'SUB':
      case 'MUL':
      case 'DIV': {
        const onnxOp = { ADD: 'Add', SUB: 'Sub', MUL: 'Mul', DIV: 'Div' }[name];
        const out = op.outputs[0];
        const y = this.onnx.fresh(onnxOp);
        this.onnx.node(onnxOp, [this.value(op.inputs[0], out), this.value(op.inputs[1], out)], [y]);
        this.names.set(out, this.activation(y, o.int8(0), k, name));
        return;
      }
      case 'RELU':
      case 'ABS':
      case 'RELU6':
        return this.unary(op, name);
      case 'RESHAPE':
        return this.reshape(op, o);
      default:
        throw new TfliteUnsupportedOpError(name, k);
    }
  }

  /** A PReLU spelled out as several TFLite ops: one PRelu node, its ops absorbed. */
  private prelu(standalone: PreluMatch): void {
    const { onnx } = this;
    for (const i of standalone.ops) this.absorbed.add(i);
    this.prelus.delete(standalone.input);
    const c = this.constants.get(standalone.alphaIndex) as ConstantValue & { dtype: 'float32' };
    const slope = Float32Array.from(c.data, (v) => 2 * v);
    const alphaName = onnx.floatInit(
      onnx.fresh('slope'),
      this.rank(standalone.input) === 4 && c.shape.length === 1 ? [c.shape[0], 1, 1] : [...c.shape],
      slope,
    );
    const y = onnx.fresh('prelu');
    onnx.node('PRelu', [this.names.get(standalone.input)!, alphaName], [y]);
    this.names.set(standalone.output, y);
  }

  private conv(op: Operator, k: number, name: 'CONV_2D' | 'DEPTHWISE_CONV_2D', o: TableReader): void {
    const { onnx } = this;
    const depthwise = name === 'DEPTHWISE_CONV_2D';
    const w = this.constants.get(op.inputs[1]);
    if (!w || w.dtype !== 'float32') throw new TfliteUnsupportedError(`${name} (operator #${k}): non-constant filter`);
    const [d0, kh, kw, d3] = w.shape as [number, number, number, number];
    const inC = this.sg.tensors[op.inputs[0]].shape[3];
    // OHWI → OIHW; depthwise [1,H,W,C·M] → [C·M,1,H,W] with group = C.
    const weights = depthwise ? permute(w.data, w.shape, [3, 0, 1, 2]) : permute(w.data, w.shape, [0, 3, 1, 2]);
    const wDims = depthwise ? [d3, 1, kh, kw] : [d0, d3, kh, kw];
    const inputs = [this.names.get(op.inputs[0])!, onnx.floatInit(onnx.fresh(`w${op.inputs[1]}`), wDims, weights)];
    if (op.inputs.length > 2 && op.inputs[2] >= 0) inputs.push(this.constName(op.inputs[2], 'asis'));
    const strides = [Math.max(1, o.int32(2)), Math.max(1, o.int32(1))];
    const dil = depthwise
      ? [Math.max(1, o.int32(6, 1)), Math.max(1, o.int32(5, 1))]
      : [Math.max(1, o.int32(5, 1)), Math.max(1, o.int32(4, 1))];
    const y = onnx.fresh('conv');
    onnx.node(
      'Conv',
      inputs,
      [y],
      [
        { name: 'auto_pad', s: o.int8(0) === Padding.VALID ? 'VALID' : 'SAME_UPPER' },
        { name: 'strides', ints: strides },
        { name: 'dilations', ints: dil },
        { name: 'kernel_shape', ints: [kh, kw] },
        { name: 'group', i: depthwise ? inC : 1 },
      ],
    );
    this.names.set(op.outputs[0], this.activation(y, this.view.fusedActivation(k), k, name));
  }

  private unary(op: Operator, name: 'RELU' | 'ABS' | 'RELU6'): void {
    const { onnx } = this;
    const y = onnx.fresh(name);
    if (name === 'RELU6')
      onnx.node(
        'Clip',
        [
          this.names.get(op.inputs[0])!,
          onnx.floatInit(onnx.fresh('zero'), [], Float32Array.of(0)),
          onnx.floatInit(onnx.fresh('six'), [], Float32Array.of(6)),
        ],
        [y],
      );
    else onnx.node(name === 'RELU' ? 'Relu' : 'Abs', [this.names.get(op.inputs[0])!], [y]);
    this.names.set(op.outputs[0], y);
  }

  private reshape(op: Operator, o: TableReader): void {
    const { onnx } = this;
    const x = op.inputs[0];
    let src = this.names.get(x)!;
    if (this.rank(x) === 4) {
      const nhwc = onnx.fresh('nhwc');
      onnx.node('Transpose', [src], [nhwc], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
      src = nhwc;
    }
    const shapeConst = op.inputs.length > 1 && op.inputs[1] >= 0 ? this.constants.get(op.inputs[1]) : undefined;
    const target = shapeConst ? Array.from(shapeConst.data) : o.int32s(0);
    // The batch follows the input (0 = copy that dimension), as in the tfjs interpreter.
    const declared = this.sg.tensors[x].shape;
    const dims = target.map((d, i) => (i === 0 && d === declared[0] ? 0 : d));
    let y = onnx.fresh('reshape');
    onnx.node('Reshape', [src, onnx.int64Init(onnx.fresh('shape'), dims)], [y]);
    if (target.length === 4) {
      const back = onnx.fresh('nchw');
      onnx.node('Transpose', [y], [back], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
      y = back;
    }
    this.names.set(op.outputs[0], y);
  }
}
