import { Op, builtinOpName } from '#core/vision/tflite/builtin-ops.ts';
import type { ConstantValue } from '#core/vision/tflite/constants.ts';
import { TfliteUnsupportedError } from '#core/vision/tflite/errors.ts';
import { TableReader, type TfliteModel, type TfliteOperator } from '#core/vision/tflite/schema.ts';

/** Schema name of an operator ("CONV_2D", "CUSTOM:<name>"). */
export function operatorName(model: TfliteModel, op: TfliteOperator): string {
  const code = model.operatorCodes[op.opcodeIndex];
  if (!code) throw new TfliteUnsupportedError(`operator refers to missing opcode ${op.opcodeIndex}`);
  return code.builtinCode === Op.CUSTOM ? `CUSTOM:${code.customCode ?? '?'}` : builtinOpName(code.builtinCode);
}

/** A PReLU that the converter spelled out as RELU(x) + c * (x - ABS(x)): slope = 2c. */
export interface PreluMatch {
  readonly input: number;
  readonly output: number;
  /** Tensor index of the constant c. */
  readonly alphaIndex: number;
  /** The five operators of the pattern. */
  readonly ops: readonly number[];
}

/** Read-only questions about the main subgraph's structure, shared by the tfjs interpreter and
 * the ONNX exporter. */
export class GraphView {
  private readonly readers = new Map<number, number[]>();
  private readonly graphOutputs: Set<number>;

  constructor(
    readonly model: TfliteModel,
    private readonly constants: ReadonlyMap<number, ConstantValue>,
  ) {
    const g = model.subgraphs[0];
    g.operators.forEach((op, k) => {
      for (const t of op.inputs) if (t >= 0) this.readers.set(t, [...(this.readers.get(t) ?? []), k]);
    });
    this.graphOutputs = new Set(g.outputs);
  }

  private get ops(): readonly TfliteOperator[] {
    return this.model.subgraphs[0].operators;
  }

  opName(k: number): string {
    return operatorName(this.model, this.ops[k]);
  }

  /** The fused_activation_function of an op with one (0 = NONE). */
  fusedActivation(k: number): number {
    const name = this.opName(k);
    const field = name === 'CONV_2D' ? 3 : name === 'DEPTHWISE_CONV_2D' ? 4 : 0;
    return new TableReader(this.model.bb, this.ops[k].builtinOptionsPos).int8(field);
  }

  /** Every spelled-out PReLU, by its input tensor. */
  spelledPrelus(): Map<number, PreluMatch> {
    const out = new Map<number, PreluMatch>();
    for (let t = 0; t < this.model.subgraphs[0].tensors.length; t++) {
      const m = this.matchPrelu(t);
      if (m) out.set(t, m);
    }
    return out;
  }

  /** x → RELU(x)=r, ABS(x)=a, SUB(x,a)=s, MUL(c,s)=m, ADD(r,m)=y, with c constant, every
   * intermediate read only inside the pattern and no fused activations. */
  private matchPrelu(x: number): PreluMatch | undefined {
    const ops = this.ops;
    const readers = this.readers.get(x) ?? [];
    if (readers.length !== 3 || this.constants.has(x)) return undefined;
    const relu = readers.find((k) => this.opName(k) === 'RELU' && ops[k].inputs.length === 1);
    const abs = readers.find((k) => this.opName(k) === 'ABS');
    const sub = readers.find((k) => this.opName(k) === 'SUB');
    if (relu === undefined || abs === undefined || sub === undefined) return undefined;
    const r = ops[relu].outputs[0],
      a = ops[abs].outputs[0],
      s = ops[sub].outputs[0];
    if (ops[sub].inputs[0] !== x || ops[sub].inputs[1] !== a) return undefined;
    const only = (t: number): number | undefined => {
      const c = this.readers.get(t) ?? [];
      return c.length === 1 && !this.graphOutputs.has(t) ? c[0] : undefined;
    };
    if (only(a) !== sub) return undefined;
    const mul = only(s);
    if (mul === undefined || this.opName(mul) !== 'MUL') return undefined;
    const alphaIndex = ops[mul].inputs.find((t) => t !== s);
    const alpha = alphaIndex === undefined ? undefined : this.constants.get(alphaIndex);
    if (alphaIndex === undefined || !alpha || alpha.dtype !== 'float32') return undefined;
    const m = ops[mul].outputs[0];
    const add = only(m);
    if (add === undefined || this.opName(add) !== 'ADD' || only(r) !== add) return undefined;
    if (![sub, mul, add].every((k) => this.fusedActivation(k) === 0)) return undefined;
    return { input: x, output: ops[add].outputs[0], alphaIndex, ops: [relu, abs, sub, mul, add] };
  }
}
