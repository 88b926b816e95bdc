import type { ClusterPerson, ClusterResult } from './types.ts';
import { dotRows } from './knn/dot.ts';
import type { VectorMatrix } from './knn/types.ts';

/** Above this size the medoid is the member nearest the normalised mean (O(m d)) instead of the
 * exact medoid (O(m^2 d)); for a tight cluster of hundreds of faces they are the same face or
 * interchangeable as a cover. */
const EXACT_MEDOID_MAX = 400;

/** Medoid (member with the largest summed similarity to the others) and cohesion (mean similarity
 * of the other members to it) of one group of row indices. */
export function medoidOf(m: VectorMatrix, members: readonly number[]): { medoid: number; cohesion: number } {
  const { data, dim } = m;
  let medoid = members[0];
  if (members.length <= EXACT_MEDOID_MAX) {
    let best = -Infinity;
    const sums = new Float64Array(members.length);
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const s = dotRows(data, members[i] * dim, data, members[j] * dim, dim);
        sums[i] += s;
        sums[j] += s;
      }
    }
    for (let i = 0; i < members.length; i++) {
      if (sums[i] > best + 1e-9) {
        best = sums[i];
        medoid = members[i];
      }
    }
  } else {
    const mean = new Float32Array(dim);
    for (const r of members) for (let d = 0; d < dim; d++) mean[d] += data[r * dim + d];
    let best = -Infinity;
    for (const r of members) {
      const s = dotRows(mean, 0, data, r * dim, dim);
      if (s > best + 1e-9) {
        best = s;
        medoid = r;
      }
    }
  }
  let total = 0;
  for (const r of members) if (r !== medoid) total += dotRows(data, medoid * dim, data, r * dim, dim);
  return { medoid, cohesion: members.length > 1 ? total / (members.length - 1) : 1 };
}

/** Turn per-row group labels into the result: groups of 2+ faces are people (largest first, ties by
 * smallest face id), single faces are unassigned. `ids` are sorted, so row order is id order. */
export function buildResult(m: VectorMatrix, ids: readonly string[], labels: Int32Array): ClusterResult {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups.get(labels[i]);
    if (g) g.push(i);
    else groups.set(labels[i], [i]);
  }
  const people: ClusterPerson[] = [];
  const unassigned: string[] = [];
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length || a[0] - b[0]);
  for (const members of ordered) {
    if (members.length === 1) {
      unassigned.push(ids[members[0]]);
      continue;
    }
    const { medoid, cohesion } = medoidOf(m, members);
    people.push({
      faceIds: members.map((r) => ids[r]),
      medoidFaceId: ids[medoid],
      cohesion: Number(cohesion.toFixed(6)),
    });
  }
  unassigned.sort();
  return { people, unassigned };
}
