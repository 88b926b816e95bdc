import type * as tfTypes from '@tensorflow/tfjs';

/** The three MTCNN networks (Zhang et al. 2016) as TensorFlow.js ops, with weights named as in
 * face-api.js's `mtcnn_model` manifest (pnet/…, rnet/…, onet/…).
 *
 * The original Caffe models were trained on transposed images (x and y swapped). Callers therefore
 * feed transposed inputs — [batch, width, height, 3] — normalised as (v - 127.5) / 128; P-Net's
 * output maps are transposed the same way. Channel order is RGB: measured on LFW photos, P-Net
 * fires on faces only with RGB input (face-api.js's BGR conversion leaves P-Net nearly blind to
 * large faces; R-Net and O-Net tolerate either order). */

type Tf = typeof tfTypes;
type T4 = tfTypes.Tensor4D;
type T2 = tfTypes.Tensor2D;

interface Conv {
  readonly filters: T4;
  readonly bias: tfTypes.Tensor1D;
}
interface Dense {
  readonly weights: T2;
  readonly bias: tfTypes.Tensor1D;
}
type Alpha = tfTypes.Tensor1D;

interface Trunk {
  readonly conv1: Conv;
  readonly prelu1: Alpha;
  readonly conv2: Conv;
  readonly prelu2: Alpha;
  readonly conv3: Conv;
  readonly prelu3: Alpha;
}

export interface PNetParams extends Trunk {
  readonly conv4_1: Conv;
  readonly conv4_2: Conv;
}
export interface RNetParams extends Trunk {
  readonly fc1: Dense;
  readonly prelu4: Alpha;
  readonly fc2_1: Dense;
  readonly fc2_2: Dense;
}
export interface ONetParams extends Trunk {
  readonly conv4: Conv;
  readonly prelu4: Alpha;
  readonly fc1: Dense;
  readonly prelu5: Alpha;
  readonly fc2_1: Dense;
  readonly fc2_2: Dense;
  readonly fc2_3: Dense;
}

export interface MtcnnParams {
  readonly pnet: PNetParams;
  readonly rnet: RNetParams;
  readonly onet: ONetParams;
}

/** Pick the named tensors out of a decoded weight map (throws on a missing one). */
export function mtcnnParams(w: tfTypes.NamedTensorMap): MtcnnParams {
  const get = <T extends tfTypes.Tensor>(name: string, rank: number): T => {
    const t = w[name];
    if (!t) throw new Error(`mtcnn: weight '${name}' missing from manifest`);
    if (t.rank !== rank) throw new Error(`mtcnn: weight '${name}' has rank ${t.rank}, expected ${rank}`);
    return t as T;
  };
  const conv = (p: string): Conv => ({ filters: get(`${p}/weights`, 4), bias: get(`${p}/bias`, 1) });
  const dense = (p: string): Dense => ({ weights: get(`${p}/weights`, 2), bias: get(`${p}/bias`, 1) });
  const trunk = (n: string): Trunk => ({
    conv1: conv(`${n}/conv1`),
    prelu1: get(`${n}/prelu1_alpha`, 1),
    conv2: conv(`${n}/conv2`),
    prelu2: get(`${n}/prelu2_alpha`, 1),
    conv3: conv(`${n}/conv3`),
    prelu3: get(`${n}/prelu3_alpha`, 1),
  });
  return {
    pnet: { ...trunk('pnet'), conv4_1: conv('pnet/conv4_1'), conv4_2: conv('pnet/conv4_2') },
    rnet: {
      ...trunk('rnet'),
      fc1: dense('rnet/fc1'),
      prelu4: get('rnet/prelu4_alpha', 1),
      fc2_1: dense('rnet/fc2_1'),
      fc2_2: dense('rnet/fc2_2'),
    },
    onet: {
      ...trunk('onet'),
      conv4: conv('onet/conv4'),
      prelu4: get('onet/prelu4_alpha', 1),
      fc1: dense('onet/fc1'),
      prelu5: get('onet/prelu5_alpha', 1),
      fc2_1: dense('onet/fc2_1'),
      fc2_2: dense('onet/fc2_2'),
      fc2_3: dense('onet/fc2_3'),
    },
  };
}

const conv = (tf: Tf, x: T4, c: Conv): T4 => tf.add(tf.conv2d(x, c.filters, 1, 'valid'), c.bias);
const dense = (tf: Tf, x: T2, d: Dense): T2 => tf.add(tf.matMul(x, d.weights), d.bias);
/** PReLU with one slope per channel (broadcast over the last axis). */
const prelu = <T extends tfTypes.Tensor>(tf: Tf, x: T, alpha: Alpha): T => tf.prelu(x as tfTypes.Tensor, alpha) as T;

/** conv-prelu-pool ×2, conv-prelu: shared by the three nets (P-Net pools 2x2 and skips the second
 * pool; R-Net and O-Net pool 3x3). */
function trunk(tf: Tf, x: T4, p: Trunk, pnet: boolean): T4 {
  let out = prelu(tf, conv(tf, x, p.conv1), p.prelu1);
  out = tf.maxPool(out, pnet ? 2 : 3, 2, 'same');
  out = prelu(tf, conv(tf, out, p.conv2), p.prelu2);
  if (!pnet) out = tf.maxPool(out, 3, 2, 'valid');
  return prelu(tf, conv(tf, out, p.conv3), p.prelu3);
}

/** Face probability of a 2-way logit output (softmax, column 1). */
function faceProb(tf: Tf, logits: tfTypes.Tensor, axis: number): tfTypes.Tensor {
  const prob = tf.softmax(logits, axis);
  return tf.squeeze(
    tf.slice(
      prob,
      prob.shape.map((_, i) => (i === axis ? 1 : 0)),
      prob.shape.map((s, i) => (i === axis ? 1 : s)),
    ),
    [axis],
  );
}

/** P-Net over one (transposed) pyramid level [1, W, H, 3]: per-cell face probability
 * [W', H'] and box regression [W', H', 4]. Cells are 12x12 with stride 2. */
export function pnet(tf: Tf, x: T4, p: PNetParams): { prob: tfTypes.Tensor2D; regions: tfTypes.Tensor3D } {
  return tf.tidy(() => {
    const t = trunk(tf, x, p, true);
    const prob = faceProb(tf, conv(tf, t, p.conv4_1), 3).squeeze([0]) as tfTypes.Tensor2D;
    const regions = conv(tf, t, p.conv4_2).squeeze([0]) as tfTypes.Tensor3D;
    return { prob, regions };
  });
}

/** R-Net over a batch of (transposed) 24x24 patches: face probability [N], regression [N, 4]. */
export function rnet(tf: Tf, x: T4, p: RNetParams): { prob: tfTypes.Tensor1D; regions: T2 } {
  return tf.tidy(() => {
    const t = trunk(tf, x, p, false);
    const h = prelu(tf, dense(tf, tf.reshape(t, [t.shape[0], -1]) as T2, p.fc1), p.prelu4);
    return { prob: faceProb(tf, dense(tf, h, p.fc2_1), 1) as tfTypes.Tensor1D, regions: dense(tf, h, p.fc2_2) };
  });
}

/** O-Net over a batch of (transposed) 48x48 patches: probability [N], regression [N, 4] and five
 * landmarks [N, 10] (x0..x4, y0..y4 as fractions of the patch). */
export function onet(tf: Tf, x: T4, p: ONetParams): { prob: tfTypes.Tensor1D; regions: T2; points: T2 } {
  return tf.tidy(() => {
    let t = trunk(tf, x, p, false);
    t = tf.maxPool(t, 2, 2, 'same');
    t = prelu(tf, conv(tf, t, p.conv4), p.prelu4);
    const h = prelu(tf, dense(tf, tf.reshape(t, [t.shape[0], -1]) as T2, p.fc1), p.prelu5);
    return {
      prob: faceProb(tf, dense(tf, h, p.fc2_1), 1) as tfTypes.Tensor1D,
      regions: dense(tf, h, p.fc2_2),
      points: dense(tf, h, p.fc2_3),
    };
  });
}
