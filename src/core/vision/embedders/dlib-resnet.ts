import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { FaceVector, Point, RgbImage } from '#core/types.ts';
import { ARCFACE_112_TEMPLATE } from '#core/vision/align.ts';
import { readModelVersion } from '#core/vision/model-info.ts';
import { initTfjs, loadWeightMap } from '#core/vision/runtime/tfjs.ts';
import type { AlignmentTemplate, Embedder } from '#core/vision/types.ts';
import { l2Normalize } from '#core/vision/vector.ts';

type Tf = typeof tfTypes;
type T4 = tfTypes.Tensor4D;

export const DLIB_RESNET_ID = 'dlib-resnet128';
const SIZE = 150;
/** Per-channel RGB means the network was trained with; inputs are (v - mean) / 256. */
const MEAN_RGB = [122.782, 117.001, 104.298] as const;
/** Crops per forward pass: batching amortises per-op overhead; more only costs memory. */
const BATCH = 8;

/** Where dlib's `get_face_chip_details(shape, 150, 0.25)` puts a face, expressed as the ArcFace
 * 5-point template scaled about the eye midpoint. dlib's own 5-point mean shape (eye corners and
 * nose base) with 0.25 padding puts the eye centres at (47.7, 47.1) and (100.3, 47.1) of a 150 px
 * chip: eye distance 52.6 px, midpoint (74.0, 47.1). Scaling the ArcFace points so their eye
 * distance matches and moving their eye midpoint there keeps ArcFace's proportions for the nose
 * and mouth (which dlib's 5-point shape does not define). `zoom` > 1 shows less of the face. */
export function dlibChipTemplate(zoom = 1, size = SIZE): AlignmentTemplate {
  const src = ARCFACE_112_TEMPLATE.points;
  const srcMid: Point = [(src[0][0] + src[1][0]) / 2, (src[0][1] + src[1][1]) / 2];
  const srcEyeDist = Math.hypot(src[1][0] - src[0][0], src[1][1] - src[0][1]);
  const k = (size / SIZE) * zoom;
  const dstMid: Point = [74.0 * (size / SIZE), 47.1 * (size / SIZE)];
  const s = (52.6 * k) / srcEyeDist;
  const points = src.map((p): Point => [dstMid[0] + (p[0] - srcMid[0]) * s, dstMid[1] + (p[1] - srcMid[1]) * s]);
  return { size, points };
}

interface ConvParams {
  readonly filters: tfTypes.Tensor4D;
  readonly bias: tfTypes.Tensor1D;
}
interface ResidualParams {
  readonly conv1: ConvParams;
  readonly conv2: ConvParams;
}

interface ResnetParams {
  readonly stem: ConvParams;
  /** [name, downsample?] in network order. */
  readonly blocks: readonly { readonly down: boolean; readonly p: ResidualParams }[];
  readonly fc: tfTypes.Tensor2D;
}

const BLOCKS: readonly [string, boolean][] = [
  ['conv32_1', false],
  ['conv32_2', false],
  ['conv32_3', false],
  ['conv64_down', true],
  ['conv64_1', false],
  ['conv64_2', false],
  ['conv64_3', false],
  ['conv128_down', true],
  ['conv128_1', false],
  ['conv128_2', false],
  ['conv256_down', true],
  ['conv256_1', false],
  ['conv256_2', false],
  ['conv256_down_out', true],
];

/** Each conv is followed by an affine "scale" layer (dlib's frozen batch norm); fold it into the
 * conv's filters and bias once at load so inference runs one op fewer per layer. */
function foldConv(tf: Tf, w: tfTypes.NamedTensorMap, prefix: string): ConvParams {
  const get = (name: string): tfTypes.Tensor => {
    const t = w[`${prefix}/${name}`];
    if (!t) throw new Error(`${DLIB_RESNET_ID}: weight '${prefix}/${name}' missing from manifest`);
    return t;
  };
  return tf.tidy(() => {
    const scale = get('scale/weights');
    const filters = tf.mul(get('conv/filters'), scale) as tfTypes.Tensor4D;
    const bias = tf.add(tf.mul(get('conv/bias'), scale), get('scale/biases')) as tfTypes.Tensor1D;
    return { filters, bias };
  });
}

function conv(tf: Tf, x: T4, p: ConvParams, stride: 1 | 2, relu: boolean): T4 {
  const y = tf.add(tf.conv2d(x, p.filters, stride, stride === 2 ? 'valid' : 'same'), p.bias) as T4;
  return relu ? tf.relu(y) : y;
}

function residual(tf: Tf, x: T4, p: ResidualParams): T4 {
  const y = conv(tf, conv(tf, x, p.conv1, 1, true), p.conv2, 1, false);
  return tf.relu(tf.add(y, x)) as T4;
}

/** Downsampling block: the shortcut is a 2x2 average pool, zero-extended to the new channel count.
 * When the strided 3x3 conv comes out one row/column short of the pool (odd sizes), dlib's port
 * pads it with zeros at the bottom and right. */
function residualDown(tf: Tf, x: T4, p: ResidualParams): T4 {
  let y = conv(tf, conv(tf, x, p.conv1, 2, true), p.conv2, 1, false);
  let shortcut = tf.avgPool(x, 2, 2, 'valid');
  const [, ph, pw] = shortcut.shape;
  const [, yh, yw] = y.shape;
  if (ph !== yh || pw !== yw)
    y = tf.pad(y, [
      [0, 0],
      [0, ph - yh],
      [0, pw - yw],
      [0, 0],
    ]);
  const extra = y.shape[3] - shortcut.shape[3];
  if (extra > 0)
    shortcut = tf.pad(shortcut, [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, extra],
    ]);
  return tf.relu(tf.add(shortcut, y)) as T4;
}

function forward(tf: Tf, input: T4, params: ResnetParams): tfTypes.Tensor2D {
  let x = conv(tf, input, params.stem, 2, true);
  x = tf.maxPool(x, 3, 2, 'valid');
  for (const b of params.blocks) x = b.down ? residualDown(tf, x, b.p) : residual(tf, x, b.p);
  return tf.matMul(tf.mean(x, [1, 2]) as tfTypes.Tensor2D, params.fc);
}

/** dlib's face recognition ResNet (29 conv layers, 128-D output, the FaceNet-class model of the
 * original design) on TensorFlow.js. Input: 150x150 RGB crops aligned on `template`. */
export class DlibResnetEmbedder implements Embedder {
  readonly modelId = DLIB_RESNET_ID;
  readonly dim = 128;

  constructor(
    private readonly tf: Tf,
    private readonly params: ResnetParams,
    readonly modelVersion: string,
    readonly template: AlignmentTemplate,
  ) {}

  async embed(crops: readonly RgbImage[]): Promise<FaceVector[]> {
    const tf = this.tf;
    const out: FaceVector[] = [];
    for (let start = 0; start < crops.length; start += BATCH) {
      const batch = crops.slice(start, start + BATCH);
      const data = new Float32Array(batch.length * SIZE * SIZE * 3);
      batch.forEach((crop, b) => {
        if (crop.width !== SIZE || crop.height !== SIZE)
          throw new Error(`${this.modelId}: crop must be ${SIZE}x${SIZE}, got ${crop.width}x${crop.height}`);
        const off = b * SIZE * SIZE * 3;
        const d = crop.data;
        for (let i = 0; i < SIZE * SIZE * 3; i += 3) {
          data[off + i] = (d[i] - MEAN_RGB[0]) / 256;
          data[off + i + 1] = (d[i + 1] - MEAN_RGB[1]) / 256;
          data[off + i + 2] = (d[i + 2] - MEAN_RGB[2]) / 256;
        }
      });
      const result = tf.tidy(() => forward(tf, tf.tensor4d(data, [batch.length, SIZE, SIZE, 3]), this.params));
      const flat = await result.data<'float32'>();
      result.dispose();
      for (let b = 0; b < batch.length; b++) {
        out.push({
          modelId: this.modelId,
          modelVersion: this.modelVersion,
          vector: l2Normalize(flat.subarray(b * this.dim, (b + 1) * this.dim)),
        });
      }
    }
    return out;
  }

  async dispose(): Promise<void> {
    const p = this.params;
    const all: tfTypes.Tensor[] = [p.stem.filters, p.stem.bias, p.fc];
    for (const b of p.blocks) all.push(b.p.conv1.filters, b.p.conv1.bias, b.p.conv2.filters, b.p.conv2.bias);
    this.tf.dispose(all);
  }
}

export interface DlibResnetOptions {
  /** Alignment template (default: `dlibChipTemplate()`). */
  readonly template?: AlignmentTemplate;
}

export async function createDlibResnetEmbedder(
  modelsDir: string,
  options: DlibResnetOptions = {},
): Promise<DlibResnetEmbedder> {
  const { tf } = await initTfjs();
  const dir = join(modelsDir, DLIB_RESNET_ID);
  const weights = await loadWeightMap(dir, 'face_recognition_model-weights_manifest.json');
  try {
    const fc = weights.fc;
    if (!fc || fc.rank !== 2) throw new Error(`${DLIB_RESNET_ID}: weight 'fc' missing or not 2-D`);
    const params: ResnetParams = {
      stem: foldConv(tf, weights, 'conv32_down'),
      blocks: BLOCKS.map(([name, down]) => ({
        down,
        p: { conv1: foldConv(tf, weights, `${name}/conv1`), conv2: foldConv(tf, weights, `${name}/conv2`) },
      })),
      fc: tf.clone(fc) as tfTypes.Tensor2D,
    };
    return new DlibResnetEmbedder(
      tf,
      params,
      await readModelVersion(modelsDir, DLIB_RESNET_ID),
      options.template ?? dlibChipTemplate(),
    );
  } finally {
    tf.dispose(Object.values(weights));
  }
}
