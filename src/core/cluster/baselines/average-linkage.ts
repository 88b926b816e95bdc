import type { ConstrainedUnionFind } from '../constraints.ts';

/** Agglomerative clustering with average linkage, stopped at a distance threshold: repeatedly merge
 * the two clusters with the smallest mean pairwise distance while it is below `threshold`. Each
 * row caches its nearest active cluster, so a merge costs O(n) instead of a full rescan.
 * A merge forbidden by a cannot-link sets that pair's distance to +Infinity. */
export interface AverageLinkageParams {
  readonly threshold: number;
}

export function averageLinkage(dist: Float32Array, n: number, uf: ConstrainedUnionFind, p: AverageLinkageParams): void {
  const D = dist; // consumed
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const nn = new Int32Array(n).fill(-1);
  const nd = new Float64Array(n).fill(Infinity);
  const refresh = (i: number): void => {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || !active[j]) continue;
      const d = D[i * n + j];
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    nn[i] = best;
    nd[i] = bd;
  };
  for (let i = 0; i < n; i++) refresh(i);
  for (;;) {
    let a = -1;
    let bd = Infinity;
    for (let i = 0; i < n; i++) if (active[i] && nd[i] < bd) [a, bd] = [i, nd[i]];
    if (a < 0 || bd >= p.threshold) break;
    const b = nn[a];
    if (!uf.union(a, b)) {
      D[a * n + b] = Infinity;
      D[b * n + a] = Infinity;
      refresh(a);
      refresh(b);
      continue;
    }
    // Fold b into a (Lance-Williams, average linkage).
    const sa = size[a];
    const sb = size[b];
    active[b] = 0;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      const dak = D[a * n + k];
      const dbk = D[b * n + k];
      const d = dak === Infinity || dbk === Infinity ? Infinity : (sa * dak + sb * dbk) / (sa + sb);
      D[a * n + k] = d;
      D[k * n + a] = d;
    }
    size[a] = sa + sb;
    refresh(a);
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      if (nn[k] === a || nn[k] === b) refresh(k);
      else if (D[k * n + a] < nd[k]) {
        nn[k] = a;
        nd[k] = D[k * n + a];
      }
    }
  }
}
