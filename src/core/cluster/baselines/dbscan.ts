import type { ConstrainedUnionFind } from '../constraints.ts';

/** DBSCAN on cosine distance (what immich and PhotoPrism use): a face with at least `minPoints`
 * faces (itself included) within `eps` is a core face; core faces within eps of each other form a
 * cluster, non-core faces within eps of a core join its cluster, the rest is noise (unassigned).
 * Unions go through the constrained union-find, so same-photo faces still never join. */
export interface DbscanParams {
  readonly eps: number;
  readonly minPoints: number;
}

export function dbscan(dist: Float32Array, n: number, uf: ConstrainedUnionFind, p: DbscanParams): void {
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) if (dist[i * n + j] <= p.eps) c++;
    if (c >= p.minPoints) core[i] = 1;
  }
  // Core-core links first (nearest first, so conflicts keep the stronger link), then border faces
  // to their nearest core.
  const links: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (!core[i]) continue;
    for (let j = i + 1; j < n; j++) if (core[j] && dist[i * n + j] <= p.eps) links.push([dist[i * n + j], i, j]);
  }
  links.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  for (const [, i, j] of links) uf.union(i, j);
  for (let i = 0; i < n; i++) {
    if (core[i]) continue;
    const near: [number, number][] = [];
    for (let j = 0; j < n; j++) if (core[j] && dist[i * n + j] <= p.eps) near.push([dist[i * n + j], j]);
    near.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, j] of near) if (uf.union(i, j)) break;
  }
}
