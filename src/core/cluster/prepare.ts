import { RankfaceError } from '#core/errors.ts';
import { ConstrainedUnionFind } from './constraints.ts';
import type { VectorMatrix } from './knn/types.ts';
import type { ClusterConstraints, ClusterFace } from './types.ts';

/** Faces checked, sorted by id (so results do not depend on input order) and packed into one
 * contiguous matrix; constraints turned into a union-find with must-link groups pre-merged. */
export interface PreparedFaces {
  readonly ids: string[];
  readonly matrix: VectorMatrix;
  readonly photoOf: Int32Array;
  readonly modelId: string | undefined;
}

export class MixedModelsError extends RankfaceError {
  constructor(readonly modelIds: string[]) {
    super(
      'mixed-models',
      `cannot cluster vectors of different models together: ${modelIds.join(', ')} (vectors of different models are not comparable; cluster each model separately)`,
    );
  }
}

const byId = (a: ClusterFace, b: ClusterFace): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function prepareFaces(faces: readonly ClusterFace[]): PreparedFaces {
  const models = [...new Set(faces.map((f) => f.modelId))].sort();
  if (models.length > 1) throw new MixedModelsError(models);
  const sorted = [...faces].sort(byId);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].id === sorted[i - 1].id) throw new Error(`duplicate face id '${sorted[i].id}'`);
  const n = sorted.length;
  const dim = n > 0 ? sorted[0].vector.length : 0;
  const shared = sharedUnitBuffer(sorted, dim);
  const data = shared ?? new Float32Array(n * dim);
  const photoIndex = new Map<string, number>();
  const photoOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = sorted[i];
    if (f.vector.length !== dim) throw new Error(`face '${f.id}' has a ${f.vector.length}-D vector, expected ${dim}-D`);
    if (!shared) copyUnit(f.vector, data, i * dim, dim);
    let p = photoIndex.get(f.photoId);
    if (p === undefined) {
      p = photoIndex.size;
      photoIndex.set(f.photoId, p);
    }
    photoOf[i] = p;
  }
  return { ids: sorted.map((f) => f.id), matrix: { data, n, dim }, photoOf, modelId: models[0] };
}

function copyUnit(v: Float32Array, data: Float32Array, offset: number, dim: number): void {
  // Re-normalise defensively: cosine distance = 1 - dot only holds for unit vectors.
  let s = 0;
  for (let d = 0; d < dim; d++) s += v[d] * v[d];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let d = 0; d < dim; d++) data[offset + d] = v[d] * inv;
}

/** The one buffer the (sorted) vectors already are consecutive unit-length views of, if so: then
 * no copy is made (a million 512-D faces would otherwise need 2 GB twice). */
function sharedUnitBuffer(sorted: readonly ClusterFace[], dim: number): Float32Array | undefined {
  if (sorted.length < 1000 || dim === 0) return undefined;
  const first = sorted[0].vector;
  const buf = first.buffer;
  const base = first.byteOffset;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i].vector;
    if (v.buffer !== buf || v.byteOffset !== base + i * dim * 4 || v.length !== dim) return undefined;
  }
  const data = new Float32Array(buf as ArrayBuffer, base, sorted.length * dim);
  // Spot-check unit length (cosine distance = 1 - dot needs it); otherwise copy and normalise.
  for (let i = 0; i < sorted.length; i += Math.max(1, Math.floor(sorted.length / 64))) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[i * dim + d] ** 2;
    if (Math.abs(s - 1) > 1e-3) return undefined;
  }
  return data;
}

/** Union-find carrying every cannot-link (same photo implicitly, plus the user's), with the
 * must-link groups already merged. A must-link that contradicts a cannot-link is ignored (the
 * cannot-link wins: it is the safer error). Unknown face ids are ignored. */
export function constrainedUnionFind(p: PreparedFaces, constraints: ClusterConstraints = {}): ConstrainedUnionFind {
  const index = new Map<string, number>();
  p.ids.forEach((id, i) => index.set(id, i));
  const pairs = (list: ReadonlyArray<readonly [string, string]> | undefined): [number, number][] => {
    const out: [number, number][] = [];
    for (const [a, b] of list ?? []) {
      const ia = index.get(a);
      const ib = index.get(b);
      if (ia !== undefined && ib !== undefined && ia !== ib) out.push([Math.min(ia, ib), Math.max(ia, ib)]);
    }
    return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  };
  const uf = new ConstrainedUnionFind(p.photoOf, pairs(constraints.cannotLink));
  for (const [a, b] of pairs(constraints.mustLink)) uf.union(a, b);
  return uf;
}
