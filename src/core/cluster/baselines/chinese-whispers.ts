import type { ConstrainedUnionFind } from '../constraints.ts';
import { seededRandom } from '#core/random.ts';

/** Chinese Whispers as in dlib's face clustering: an edge between faces closer than `threshold`,
 * every face starts with its own label, then for `iterations` rounds each face (in a seeded random
 * order) takes the label carried by most of its neighbours (weighted by similarity, ties to the
 * smaller label). Labels become groups through the constrained union-find. */
export interface ChineseWhispersParams {
  readonly threshold: number;
  readonly iterations?: number;
  readonly seed?: number;
}

export function chineseWhispers(
  dist: Float32Array,
  n: number,
  uf: ConstrainedUnionFind,
  p: ChineseWhispersParams,
): void {
  const adj: number[][] = Array.from({ length: n }, () => []);
  const w: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = dist[i * n + j];
      if (d < p.threshold) {
        adj[i].push(j);
        w[i].push(1 - d);
        adj[j].push(i);
        w[j].push(1 - d);
      }
    }
  }
  const label = Int32Array.from({ length: n }, (_, i) => i);
  const rand = seededRandom(p.seed ?? 1);
  const order = Array.from({ length: n }, (_, i) => i);
  const score = new Map<number, number>();
  for (let it = 0; it < (p.iterations ?? 100); it++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let changed = 0;
    for (const i of order) {
      if (adj[i].length === 0) continue;
      score.clear();
      for (let e = 0; e < adj[i].length; e++) {
        const l = label[adj[i][e]];
        score.set(l, (score.get(l) ?? 0) + w[i][e]);
      }
      let best = label[i];
      let bestScore = -Infinity;
      for (const [l, s] of score) if (s > bestScore || (s === bestScore && l < best)) [best, bestScore] = [l, s];
      if (best !== label[i]) {
        label[i] = best;
        changed++;
      }
    }
    if (changed === 0) break;
  }
  const first = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const f = first.get(label[i]);
    if (f === undefined) first.set(label[i], i);
    else uf.union(f, i);
  }
}
