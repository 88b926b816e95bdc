import * as tf from '@tensorflow/tfjs';
import { Activation, Padding } from '#core/vision/tflite/builtin-ops.ts';
import { GraphView, operatorName, type PreluMatch } from '#core/vision/tflite/graph.ts';
import { readConstant, type ConstantValue } from '#core/vision/tflite/constants.ts';
import { TfliteUnsupportedError, TfliteUnsupportedOpError } from '#core/vision/tflite/errors.ts';
import {
  TableReader,
  TensorType,
  parseTflite,
  type TfliteModel,
  type TfliteOperator,
  type TfliteSubgraph,
  type TfliteTensor,
} from '#core/vision/tflite/schema.ts';

/** Runs the main subgraph of a float TFLite model on TensorFlow.js, op by op, on whichever tfjs
 * backend is active. Weights are decoded once (dequantised to float32 if stored as float16/int8)
 * and kept in the layouts tfjs wants; activations are freed as soon as their last reader has run.
 *
 * Batch: the leading dimension of the inputs may differ from the one the model was exported with
 * (MobileFaceNet's file declares a batch of 2). Every op we run is batch-agnostic except RESHAPE
 * with a baked-in target shape; there the leading dimension follows the input's batch when the
 * exported shape carried the exported batch there. */

type Read = (index: number) => tf.Tensor;
/** One compiled operator: reads its inputs and returns its outputs in `op.outputs` order. */
type Kernel = (read: Read) => tf.Tensor[];

interface OpContext {
  readonly op: TfliteOperator;
  readonly index: number;
  readonly name: string;
  readonly options: TableReader;
  /** The prepared constant (tf tensor) for input `k`, or undefined for a runtime input. */
  readonly constant: (k: number) => ConstantValue | undefined;
  readonly tensor: (k: number) => TfliteTensor;
  /** Set when a following spelled-out PReLU was fused into this op: its slope tensor. */
  readonly prelu?: () => tf.Tensor;
}

/** One step of the compiled program: reads `inputs`, writes `outputs` (in order). */
interface Step {
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly kernel: Kernel;
}

export interface TfliteInterpreterOptions {
  /** Fuse spelled-out PReLUs (default true). Off only to check that fusion changes nothing. */
  readonly fusePrelu?: boolean;
}

export interface TfliteTensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

export class TfliteInterpreter {
  readonly inputs: readonly TfliteTensorInfo[];
  readonly outputs: readonly TfliteTensorInfo[];
  /** Builtin op names used by the graph, with their counts. */
  readonly opCounts: Readonly<Record<string, number>>;
  private readonly graph: TfliteSubgraph;
  private readonly constants = new Map<number, ConstantValue>();
  /** Constant tensors uploaded to tfjs, by `${tensor}:${layout}` (a weight may be needed in more
   * than one layout, though in practice each is used once). */
  private readonly uploaded = new Map<string, tf.Tensor>();
  /** The program actually run: operators after folding and fusion (see `plan`). */
  private readonly steps: Step[] = [];
  /** For each step, the activations to free after it has run. */
  private readonly frees: number[][] = [];
  private readonly fused = { intoConv: 0, standalone: 0 };
  private disposed = false;

  constructor(
    private readonly model: TfliteModel,
    private readonly options: TfliteInterpreterOptions = {},
  ) {
    if (model.subgraphs.length === 0) throw new TfliteUnsupportedError('model has no subgraph');
    this.graph = model.subgraphs[0];
    const g = this.graph;
    g.tensors.forEach((t, i) => {
      const c = readConstant(model, t);
      if (c) this.constants.set(i, c);
    });
    const info = (i: number): TfliteTensorInfo => {
      const t = g.tensors[i];
      if (t.type !== TensorType.FLOAT32)
        throw new TfliteUnsupportedError(
          `graph input/output "${t.name}" is not float32 (type ${t.type}): quantised activations are not supported`,
        );
      return { name: t.name, shape: t.shape, dtype: 'float32' };
    };
    this.inputs = g.inputs.map(info);
    this.outputs = g.outputs.map(info);
    const counts: Record<string, number> = {};
    for (const op of g.operators) {
      const name = this.opName(op);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    this.opCounts = counts;
    this.plan();
    this.frees = this.planFrees();
  }

  static fromBytes(bytes: Uint8Array, options: TfliteInterpreterOptions = {}): TfliteInterpreter {
    return new TfliteInterpreter(parseTflite(bytes), options);
  }

  /** How many spelled-out PReLUs were fused (into the preceding convolution, or into one op). */
  get fusedPrelus(): { readonly intoConv: number; readonly standalone: number } {
    return { ...this.fused };
  }

  /** Run the graph. The caller owns (and must dispose) the returned tensors; inputs are not
   * disposed. */
  run(inputs: readonly tf.Tensor[]): tf.Tensor[] {
    if (this.disposed) throw new Error('TfliteInterpreter: used after dispose()');
    const g = this.graph;
    if (inputs.length !== g.inputs.length)
      throw new Error(`TfliteInterpreter: expected ${g.inputs.length} inputs, got ${inputs.length}`);
    inputs.forEach((x, k) => {
      const want = this.inputs[k].shape;
      const ok = x.rank === want.length && want.every((d, i) => i === 0 || d === -1 || d === x.shape[i]);
      if (!ok)
        throw new Error(
          `TfliteInterpreter: input "${this.inputs[k].name}" must be [N,${want.slice(1).join(',')}], got [${x.shape.join(',')}]`,
        );
    });
    const values = new Map<number, tf.Tensor>();
    g.inputs.forEach((t, k) => values.set(t, inputs[k]));
    const callerOwned = new Set<tf.Tensor>(inputs);
    const read: Read = (i) => {
      const v = values.get(i);
      if (v) return v;
      return this.upload(i, 'raw', (c) =>
        c.dtype === 'float32' ? tf.tensor(c.data, [...c.shape], 'float32') : tf.tensor(c.data, [...c.shape], 'int32'),
      );
    };
    try {
      for (let k = 0; k < this.steps.length; k++) {
        const step = this.steps[k];
        const outs = step.kernel(read);
        step.outputs.forEach((t, j) => {
          let out = outs[j];
          // Never alias a tensor we might free later under another name.
          if (callerOwned.has(out) || [...values.values()].includes(out) || this.isUploaded(out)) out = tf.clone(out);
          values.set(t, out);
        });
        for (const t of this.frees[k]) {
          const v = values.get(t);
          if (v && !callerOwned.has(v)) v.dispose();
          values.delete(t);
        }
      }
      return g.outputs.map((t) => {
        const v = values.get(t);
        // A constant output (e.g. a folded DEQUANTIZE) is handed out as a copy.
        if (!v) return tf.clone(read(t));
        values.delete(t);
        return callerOwned.has(v) ? tf.clone(v) : v;
      });
    } finally {
      for (const v of values.values()) if (!callerOwned.has(v)) v.dispose();
    }
  }

  dispose(): void {
    for (const t of this.uploaded.values()) t.dispose();
    this.uploaded.clear();
    this.disposed = true;
  }

  private isUploaded(t: tf.Tensor): boolean {
    for (const u of this.uploaded.values()) if (u === t) return true;
    return false;
  }

  private opName(op: TfliteOperator): string {
    return operatorName(this.model, op);
  }

  /** Activations (not graph outputs, not constants) whose last reader is step k. */
  private planFrees(): number[][] {
    const g = this.graph;
    const last = new Map<number, number>();
    this.steps.forEach((step, k) => {
      for (const t of step.inputs) if (t >= 0 && !this.constants.has(t)) last.set(t, k);
      // An output nobody reads is freed right after it is made.
      for (const t of step.outputs) if (!last.has(t) && !this.constants.has(t)) last.set(t, k);
    });
    const keep = new Set(g.outputs);
    const frees: number[][] = this.steps.map(() => []);
    for (const [t, k] of last) if (!keep.has(t)) frees[k].push(t);
    return frees;
  }

  /** Turn the operator list into steps: constant DEQUANTIZE folded away, and PReLU spelled out as
   * RELU(x) + c * (x - ABS(x)) (how TOCO exported MobileFaceNet: 5 ops, 5 passes over the
   * activation) replaced by one prelu with alpha = 2c — fused into the convolution that makes x
   * when nothing else reads x. Same values, far fewer passes over memory. */
  private plan(): void {
    const g = this.graph;
    // Float16/int8 weight files dequantise constants with a DEQUANTIZE op; the constant was
    // already decoded to float32, so the op's output simply is that constant.
    const folded = new Set<number>();
    g.operators.forEach((op, index) => {
      const source = this.constants.get(op.inputs[0]);
      if (operatorName(this.model, op) === 'DEQUANTIZE' && source && op.outputs.length === 1) {
        this.constants.set(op.outputs[0], source);
        folded.add(index);
      }
    });
    const graph = new GraphView(this.model, this.constants);
    const outputs = new Set(g.outputs);
    const absorbed = new Set<number>();
    const prelus = this.options.fusePrelu === false ? new Map<number, PreluMatch>() : graph.spelledPrelus();
    g.operators.forEach((op, index) => {
      if (absorbed.has(index)) return;
      if (folded.has(index)) return;
      const name = graph.opName(index);
      const x = op.outputs[0];
      const m = x === undefined ? undefined : prelus.get(x);
      if (
        m &&
        (name === 'CONV_2D' || name === 'DEPTHWISE_CONV_2D') &&
        op.outputs.length === 1 &&
        !outputs.has(x) &&
        graph.fusedActivation(index) === Activation.NONE
      ) {
        for (const k of m.ops) absorbed.add(k);
        prelus.delete(x);
        this.steps.push({
          inputs: op.inputs.filter((t) => t >= 0),
          outputs: [m.output],
          kernel: this.compile(op, index, name, m.alphaIndex),
        });
        this.fused.intoConv++;
        return;
      }
      const standalone = [...prelus.values()].find((p) => p.ops.includes(index));
      if (standalone) {
        for (const k of standalone.ops) absorbed.add(k);
        prelus.delete(standalone.input);
        const alpha = standalone.alphaIndex;
        this.steps.push({
          inputs: [standalone.input],
          outputs: [standalone.output],
          kernel: (read) => [tf.tidy(() => tf.prelu(read(standalone.input), this.preluAlpha(alpha)))],
        });
        this.fused.standalone++;
        return;
      }
      this.steps.push({
        inputs: op.inputs.filter((t) => t >= 0),
        outputs: [...op.outputs],
        kernel: this.compile(op, index, name),
      });
    });
  }

  /** 2c as a tfjs tensor: the PReLU slope the spelled-out form encodes. */
  private preluAlpha(alphaIndex: number): tf.Tensor {
    return this.upload(alphaIndex, 'prelu', (c) => tf.mul(tf.tensor(c.data, [...c.shape], 'float32'), 2));
  }

  /** A constant as a tfjs tensor in some layout, made once. */
  private upload(index: number, layout: string, make: (c: ConstantValue) => tf.Tensor): tf.Tensor {
    const key = `${index}:${layout}`;
    let t = this.uploaded.get(key);
    if (!t) {
      const c = this.constants.get(index);
      if (!c)
        throw new Error(
          `TfliteInterpreter: tensor ${index} ("${this.graph.tensors[index]?.name}") is read before it is written`,
        );
      // keep(): the first upload can happen inside a kernel's tidy scope.
      t = tf.keep(tf.tidy(() => make(c)));
      this.uploaded.set(key, t);
    }
    return t;
  }

  private compile(op: TfliteOperator, index: number, name: string, preluAlphaIndex?: number): Kernel {
    const g = this.graph;
    const ctx: OpContext = {
      op,
      index,
      name,
      options: new TableReader(this.model.bb, op.builtinOptionsPos),
      constant: (k) => (op.inputs[k] !== undefined && op.inputs[k] >= 0 ? this.constants.get(op.inputs[k]) : undefined),
      tensor: (k) => g.tensors[op.inputs[k]],
      ...(preluAlphaIndex === undefined ? {} : { prelu: () => this.preluAlpha(preluAlphaIndex) }),
    };
    const factory = KERNELS[name];
    if (!factory) throw new TfliteUnsupportedOpError(name, index);
    return factory(ctx, this);
  }

  /** Input k of an op as a float weight in a given layout (uploaded once if constant; transformed
   * per run otherwise). */
  weight(ctx: OpContext, k: number, layout: string, transform: (t: tf.Tensor) => tf.Tensor): (read: Read) => tf.Tensor {
    const idx = ctx.op.inputs[k];
    if (ctx.constant(k)) {
      const t = this.upload(idx, layout, (c) => transform(tf.tensor(c.data, [...c.shape], c.dtype)));
      return () => t;
    }
    return (read) => transform(read(idx));
  }
}

/** Integer parameter tensor (axes, shapes, paddings) that must be constant. */
function intParam(ctx: OpContext, k: number, what: string): Int32Array {
  const c = ctx.constant(k);
  if (!c)
    throw new TfliteUnsupportedError(`${ctx.name} (operator #${ctx.index}): non-constant ${what} is not supported`);
  return c.dtype === 'int32' ? c.data : Int32Array.from(c.data);
}

type FusedActivation = 'linear' | 'relu' | 'relu6';

/** The fused activation of an op: tfjs's fused kernels take linear/relu/relu6; the rest are
 * applied after. */
function activation(ctx: OpContext, field: number): { fused: FusedActivation; after: (t: tf.Tensor) => tf.Tensor } {
  const code = ctx.options.int8(field);
  const id = (t: tf.Tensor): tf.Tensor => t;
  switch (code) {
    case Activation.NONE:
      return { fused: 'linear', after: id };
    case Activation.RELU:
      return { fused: 'relu', after: id };
    case Activation.RELU6:
      return { fused: 'relu6', after: id };
    case Activation.RELU_N1_TO_1:
      return { fused: 'linear', after: (t) => tf.clipByValue(t, -1, 1) };
    case Activation.TANH:
      return { fused: 'linear', after: (t) => tf.tanh(t) };
    default:
      throw new TfliteUnsupportedError(
        `${ctx.name} (operator #${ctx.index}): fused activation ${code} is not supported`,
      );
  }
}

function applyActivation(t: tf.Tensor, act: { fused: FusedActivation; after: (t: tf.Tensor) => tf.Tensor }): tf.Tensor {
  const f = act.fused === 'relu' ? tf.relu(t) : act.fused === 'relu6' ? tf.relu6(t) : t;
  return act.after(f);
}

const padding = (ctx: OpContext): 'same' | 'valid' => (ctx.options.int8(0) === Padding.VALID ? 'valid' : 'same');
const positive = (v: number): number => (v > 0 ? v : 1);

type KernelFactory = (ctx: OpContext, interp: TfliteInterpreter) => Kernel;

/** Tensors read by an op through `read`, by input position. */
const input = (ctx: OpContext, k: number): ((read: Read) => tf.Tensor) => {
  const idx = ctx.op.inputs[k];
  return (read) => read(idx);
};

function elementwise(fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, hasActivation: boolean): KernelFactory {
  return (ctx) => {
    const a = input(ctx, 0),
      b = input(ctx, 1);
    const act = hasActivation ? activation(ctx, 0) : { fused: 'linear' as const, after: (t: tf.Tensor) => t };
    return (read) => [tf.tidy(() => applyActivation(fn(a(read), b(read)), act))];
  };
}

function unary(fn: (x: tf.Tensor) => tf.Tensor): KernelFactory {
  return (ctx) => {
    const x = input(ctx, 0);
    return (read) => [tf.tidy(() => fn(x(read)))];
  };
}

function pool(kind: 'avg' | 'max'): KernelFactory {
  // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation.
  return (ctx) => {
    const o = ctx.options;
    const pad = padding(ctx);
    const strides: [number, number] = [positive(o.int32(2)), positive(o.int32(1))];
    const filter: [number, number] = [positive(o.int32(4)), positive(o.int32(3))];
    const act = activation(ctx, 5);
    const x = input(ctx, 0);
    return (read) => [
      tf.tidy(() => {
        const v = x(read) as tf.Tensor4D;
        if (kind === 'max') return applyActivation(tf.maxPool(v, filter, strides, pad), act);
        const avg = tf.avgPool(v, filter, strides, pad);
        if (pad === 'valid') return applyActivation(avg, act);
        // TFLite averages SAME-padded windows over their in-image cells only. Dividing by the
        // pooled all-ones image gives that whether or not the backend counts the padding.
        const ones = tf.ones([1, v.shape[1], v.shape[2], 1]) as tf.Tensor4D;
        return applyActivation(tf.div(avg, tf.avgPool(ones, filter, strides, pad)), act);
      }),
    ];
  };
}

function reducer(fn: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): KernelFactory {
  return (ctx) => {
    const axes = Array.from(intParam(ctx, 1, 'axes'));
    const keep = ctx.options.bool(0);
    const x = input(ctx, 0);
    return (read) => [tf.tidy(() => fn(x(read), axes, keep))];
  };
}

const KERNELS: Record<string, KernelFactory> = {
  CONV_2D: (ctx, interp) => {
    // Conv2DOptions: padding, stride_w, stride_h, fused_activation, dilation_w, dilation_h.
    const o = ctx.options;
    const pad = padding(ctx);
    const strides: [number, number] = [positive(o.int32(2)), positive(o.int32(1))];
    const dilations: [number, number] = [positive(o.int32(5, 1)), positive(o.int32(4, 1))];
    const act = activation(ctx, 3);
    const x = input(ctx, 0);
    // TFLite filters are OHWI; tfjs wants HWIO.
    const filter = interp.weight(ctx, 1, 'hwio', (t) => tf.transpose(t, [1, 2, 3, 0]));
    const bias =
      ctx.op.inputs.length > 2 && ctx.op.inputs[2] >= 0 ? interp.weight(ctx, 2, 'raw', (t) => t.clone()) : undefined;
    return (read) => [
      tf.tidy(() =>
        act.after(
          tf.fused.conv2d({
            x: x(read) as tf.Tensor4D,
            filter: filter(read) as tf.Tensor4D,
            strides,
            pad,
            dataFormat: 'NHWC',
            dilations,
            ...(bias ? { bias: bias(read) } : {}),
            ...(ctx.prelu
              ? { activation: 'prelu' as const, preluActivationWeights: ctx.prelu() }
              : { activation: act.fused }),
          }),
        ),
      ),
    ];
  },
  DEPTHWISE_CONV_2D: (ctx, interp) => {
    // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, fused_activation,
    // dilation_w, dilation_h.
    const o = ctx.options;
    const pad = padding(ctx);
    const strides: [number, number] = [positive(o.int32(2)), positive(o.int32(1))];
    const dilations: [number, number] = [positive(o.int32(6, 1)), positive(o.int32(5, 1))];
    const act = activation(ctx, 4);
    const x = input(ctx, 0);
    const inChannels = ctx.tensor(0).shape[3];
    // TFLite depthwise filters are [1, H, W, C*M] with output channel c*M + m; tfjs wants
    // [H, W, C, M] with the same channel order, so a reshape suffices.
    const filter = interp.weight(ctx, 1, 'hwcm', (t) => {
      const [, h, w, cm] = t.shape as [number, number, number, number];
      return tf.reshape(t, [h, w, inChannels, cm / inChannels]);
    });
    const bias =
      ctx.op.inputs.length > 2 && ctx.op.inputs[2] >= 0 ? interp.weight(ctx, 2, 'raw', (t) => t.clone()) : undefined;
    return (read) => [
      tf.tidy(() =>
        act.after(
          tf.fused.depthwiseConv2d({
            x: x(read) as tf.Tensor4D,
            filter: filter(read) as tf.Tensor4D,
            strides,
            pad,
            dataFormat: 'NHWC',
            dilations,
            ...(bias ? { bias: bias(read) } : {}),
            ...(ctx.prelu
              ? { activation: 'prelu' as const, preluActivationWeights: ctx.prelu() }
              : { activation: act.fused }),
          }),
        ),
      ),
    ];
  },
  FULLY_CONNECTED: (ctx, interp) => {
    // FullyConnectedOptions: fused_activation, weights_format, keep_num_dims.
    const o = ctx.options;
    if (o.int8(1) !== 0)
      throw new TfliteUnsupportedError(
        `FULLY_CONNECTED (operator #${ctx.index}): shuffled weights format is not supported`,
      );
    const keepNumDims = o.bool(2);
    const act = activation(ctx, 0);
    const x = input(ctx, 0);
    // Weights are [out, in]; keep them as [in, out] for a plain matMul.
    const weights = interp.weight(ctx, 1, 'io', (t) => tf.transpose(t));
    const bias =
      ctx.op.inputs.length > 2 && ctx.op.inputs[2] >= 0 ? interp.weight(ctx, 2, 'raw', (t) => t.clone()) : undefined;
    return (read) => [
      tf.tidy(() => {
        const v = x(read);
        const w = weights(read) as tf.Tensor2D;
        const [inDim, outDim] = w.shape;
        const y = tf.fused.matMul({
          a: tf.reshape(v, [-1, inDim]) as tf.Tensor2D,
          b: w,
          ...(bias ? { bias: bias(read) } : {}),
          activation: act.fused,
        });
        return act.after(keepNumDims ? tf.reshape(y, [...v.shape.slice(0, -1), outDim]) : y);
      }),
    ];
  },
  ADD: elementwise((a, b) => tf.add(a, b), true),
  SUB: elementwise((a, b) => tf.sub(a, b), true),
  MUL: elementwise((a, b) => tf.mul(a, b), true),
  DIV: elementwise((a, b) => tf.div(a, b), true),
  MAXIMUM: elementwise((a, b) => tf.maximum(a, b), false),
  MINIMUM: elementwise((a, b) => tf.minimum(a, b), false),
  SQUARED_DIFFERENCE: elementwise((a, b) => tf.squaredDifference(a, b), false),
  RELU: unary((x) => tf.relu(x)),
  RELU6: unary((x) => tf.relu6(x)),
  RELU_N1_TO_1: unary((x) => tf.clipByValue(x, -1, 1)),
  ABS: unary((x) => tf.abs(x)),
  NEG: unary((x) => tf.neg(x)),
  LOGISTIC: unary((x) => tf.sigmoid(x)),
  TANH: unary((x) => tf.tanh(x)),
  EXP: unary((x) => tf.exp(x)),
  SQRT: unary((x) => tf.sqrt(x)),
  RSQRT: unary((x) => tf.rsqrt(x)),
  SQUARE: unary((x) => tf.square(x)),
  HARD_SWISH: unary((x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))),
  LEAKY_RELU: (ctx) => {
    const alpha = ctx.options.float32(0);
    const x = input(ctx, 0);
    return (read) => [tf.tidy(() => tf.leakyRelu(x(read), alpha))];
  },
  // prelu(x) = relu(x) - alpha * relu(-x), with alpha broadcast against x (TFLite allows any
  // broadcastable alpha; tfjs's own prelu kernel is stricter on some backends).
  PRELU: (ctx) => {
    const x = input(ctx, 0),
      alpha = input(ctx, 1);
    return (read) => [
      tf.tidy(() => {
        const v = x(read);
        return tf.sub(tf.relu(v), tf.mul(alpha(read), tf.relu(tf.neg(v))));
      }),
    ];
  },
  // The dequantised value of a constant (decoded at load) or a float passthrough.
  DEQUANTIZE: (ctx) => {
    const x = input(ctx, 0);
    return (read) => [tf.clone(x(read))];
  },
  RESHAPE: (ctx) => {
    const declaredIn = ctx.tensor(0).shape;
    const fromInput =
      ctx.op.inputs.length > 1 && ctx.op.inputs[1] >= 0 ? Array.from(intParam(ctx, 1, 'shape')) : undefined;
    const target = fromInput ?? ctx.options.int32s(0);
    const x = input(ctx, 0);
    return (read) => {
      const v = x(read);
      const shape = [...target];
      // Batch follows the input when the model was exported with a fixed batch (see above).
      const size = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
      if (
        !shape.includes(-1) &&
        size !== v.size &&
        shape.length > 0 &&
        declaredIn.length > 0 &&
        shape[0] === declaredIn[0]
      )
        shape[0] = v.shape[0];
      return [tf.reshape(v, shape)];
    };
  },
  SQUEEZE: (ctx) => {
    const dims = ctx.options.int32s(0);
    const x = input(ctx, 0);
    return (read) => [tf.squeeze(x(read), dims.length > 0 ? dims : undefined)];
  },
  TRANSPOSE: (ctx) => {
    const perm = Array.from(intParam(ctx, 1, 'permutation'));
    const x = input(ctx, 0);
    return (read) => [tf.transpose(x(read), perm)];
  },
  AVERAGE_POOL_2D: pool('avg'),
  MAX_POOL_2D: pool('max'),
  MEAN: reducer((x, axes, keep) => tf.mean(x, axes, keep)),
  SUM: reducer((x, axes, keep) => tf.sum(x, axes, keep)),
  REDUCE_MAX: reducer((x, axes, keep) => tf.max(x, axes, keep)),
  CONCATENATION: (ctx) => {
    // ConcatenationOptions: axis, fused_activation.
    const axis = ctx.options.int32(0);
    const act = activation(ctx, 1);
    const xs = ctx.op.inputs.map((_, k) => input(ctx, k));
    return (read) => [
      tf.tidy(() => {
        const vs = xs.map((f) => f(read));
        return applyActivation(tf.concat(vs, axis < 0 ? axis + vs[0].rank : axis), act);
      }),
    ];
  },
  PAD: (ctx) => padKernel(ctx, 0),
  PADV2: (ctx) => {
    const c = ctx.constant(2);
    if (ctx.op.inputs.length > 2 && !c)
      throw new TfliteUnsupportedError(`PADV2 (operator #${ctx.index}): non-constant pad value is not supported`);
    return padKernel(ctx, c ? c.data[0] : 0);
  },
  L2_NORMALIZATION: (ctx) => {
    const act = activation(ctx, 0);
    const x = input(ctx, 0);
    // TFLite: x / sqrt(max(sum(x^2), 1e-6)) over the last axis.
    return (read) => [
      tf.tidy(() => {
        const v = x(read);
        return applyActivation(tf.div(v, tf.sqrt(tf.maximum(tf.sum(tf.square(v), -1, true), 1e-6))), act);
      }),
    ];
  },
  SOFTMAX: (ctx) => {
    const beta = ctx.options.float32(0, 1);
    const x = input(ctx, 0);
    return (read) => [tf.tidy(() => tf.softmax(beta === 1 ? x(read) : tf.mul(x(read), beta)))];
  },
};

function padKernel(ctx: OpContext, value: number): Kernel {
  const p = intParam(ctx, 1, 'paddings');
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < p.length; i += 2) pairs.push([p[i], p[i + 1]]);
  const x = input(ctx, 0);
  return (read) => [tf.pad(x(read), pairs, value)];
}
