import { seededRandom } from '#core/random.ts';
import type { ClusterFace } from './types.ts';

/** Synthetic face vectors for scale benchmarks and tests: realistic enough that clustering quality
 * and cost behave as on real libraries.
 *
 * - Identity sizes are heavy-tailed: a discrete power law P(s) ∝ s^-alpha (alpha 2.1: about 60% of
 *   identities have one face), capped at `maxIdentitySize`, so a million faces include people with
 *   thousands of faces and hundreds of thousands of one-off strangers.
 * - Identity centres are random unit directions in a `centreDim`-dimensional subspace (plus a shared
 *   offset along one axis), so different-identity cosine similarity has the spread of real
 *   embeddings (whose effective dimension is far below 512) instead of 1/sqrt(512).
 * - A face is its centre plus isotropic Gaussian noise of per-face strength drawn log-normally
 *   (image quality varies), renormalised: same-identity similarity ≈ 1/(1 + sigma^2).
 * The defaults were fitted to the same/different similarity statistics of the real dev-set vectors
 * (docs/clustering.md). Seeded: same options, same faces. */

export interface SyntheticOptions {
  readonly faces: number;
  readonly dim?: number;
  readonly seed?: number;
  readonly alpha?: number;
  readonly maxIdentitySize?: number;
  /** Dimension of the subspace identity centres live in. */
  readonly centreDim?: number;
  /** Shared component of every centre (raises mean different-identity similarity). */
  readonly offset?: number;
  /** Median noise strength sigma (per coordinate scaled so |noise| ≈ sigma). */
  readonly noise?: number;
  /** Log-normal spread of sigma across faces. */
  readonly noiseSpread?: number;
  /** Faces per photo (consecutive faces of different identities share a photo id). */
  readonly facesPerPhoto?: number;
  readonly modelId?: string;
}

export const SYNTHETIC_DEFAULTS = {
  dim: 512,
  seed: 1,
  alpha: 2.1,
  maxIdentitySize: 5000,
  centreDim: 40,
  offset: 0.1,
  noise: 0.74,
  noiseSpread: 0.33,
  facesPerPhoto: 1,
  modelId: 'synthetic',
} as const;

export interface SyntheticSet {
  readonly faces: ClusterFace[];
  /** Identity per face (same order). */
  readonly truth: string[];
  readonly identities: number;
}

function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Heavy-tailed identity sizes summing to exactly `faces`. */
export function identitySizes(faces: number, rand: () => number, alpha: number, maxSize: number): number[] {
  // Inverse-CDF sampling of a discrete power law on [1, maxSize].
  const weights: number[] = [];
  let total = 0;
  for (let s = 1; s <= maxSize; s++) {
    total += s ** -alpha;
    weights.push(total);
  }
  const sizes: number[] = [];
  let left = faces;
  while (left > 0) {
    const u = rand() * total;
    let lo = 0;
    let hi = weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weights[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    const s = Math.min(lo + 1, left);
    sizes.push(s);
    left -= s;
  }
  return sizes;
}

export function syntheticFaces(options: SyntheticOptions): SyntheticSet {
  const o = { ...SYNTHETIC_DEFAULTS, ...options };
  const rand = seededRandom(o.seed);
  const gauss = gaussian(rand);
  const sizes = identitySizes(o.faces, rand, o.alpha, Math.min(o.maxIdentitySize, Math.max(1, o.faces)));
  const dim = o.dim;
  const cdim = Math.min(o.centreDim, dim - 1);
  const faces: ClusterFace[] = [];
  const truth: string[] = [];
  // Interleave identities so consecutive faces (which share photos) are different people.
  const order: number[] = [];
  sizes.forEach((s, id) => {
    for (let i = 0; i < s; i++) order.push(id);
  });
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const centres = new Map<number, Float32Array>();
  const centre = (id: number): Float32Array => {
    let c = centres.get(id);
    if (!c) {
      c = new Float32Array(dim);
      let s = 0;
      for (let d = 0; d < cdim; d++) {
        c[d] = gauss();
        s += c[d] * c[d];
      }
      const inv = 1 / Math.sqrt(s);
      for (let d = 0; d < cdim; d++) c[d] *= inv;
      // Shared direction on the last axis (outside the centre subspace).
      c[dim - 1] = o.offset;
      centres.set(id, c);
    }
    return c;
  };
  const pad = String(order.length).length;
  let photo = 0;
  let inPhoto = 0;
  const photoMembers = new Set<number>();
  // One contiguous buffer, faces hold views into it: a million 512-D faces cost 2 GB, not 2 GB plus
  // a million separate allocations, and cluster() can use the buffer without copying it.
  const buffer = new Float32Array(order.length * dim);
  for (let i = 0; i < order.length; i++) {
    const id = order[i];
    if (inPhoto >= o.facesPerPhoto || photoMembers.has(id)) {
      photo++;
      inPhoto = 0;
      photoMembers.clear();
    }
    inPhoto++;
    photoMembers.add(id);
    const c = centre(id);
    const sigma = o.noise * Math.exp(o.noiseSpread * gauss());
    const scale = sigma / Math.sqrt(dim);
    const v = buffer.subarray(i * dim, (i + 1) * dim);
    let s = 0;
    for (let d = 0; d < dim; d++) {
      v[d] = c[d] + scale * gauss();
      s += v[d] * v[d];
    }
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) v[d] *= inv;
    faces.push({ id: `f${String(i).padStart(pad, '0')}`, photoId: `ph${photo}`, vector: v, modelId: o.modelId });
    truth.push(`id${id}`);
  }
  return { faces, truth, identities: sizes.length };
}
