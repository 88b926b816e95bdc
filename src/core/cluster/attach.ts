import type { KnnGraph } from './knn/types.ts';
import type { MergeEvidence } from './merge-evidence.ts';

/** Last pass of the approximate algorithm: a face still alone joins the person its kNN list points
 * to when its average link to that person (mean cosine distance to every member, exact through the
 * person's vector sum) is within `maxAverageDistance`.
 *
 * Why: at 100K–1M faces the face-to-face gate has to be strict (the nearest stranger of a face comes
 * closer as the library grows), so a blurred or turned face of a well-known person is often farther
 * than the gate from each of its mates; its average link to all of them is the better evidence (the
 * person's noise averages out, a stranger's similarity to a person does not grow with the person).
 * Candidates: the people of the face's kNN neighbours; merges best first through the constraints.
 * O(n k d). Returns the merges made. */
export function attachSingles(evidence: MergeEvidence, knn: KnnGraph, maxAverageDistance: number): number {
  const { n, k, indices } = knn;
  const candFace: number[] = [];
  const candNeighbour: number[] = [];
  const candD: number[] = [];
  for (let a = 0; a < n; a++) {
    const ra = evidence.root(a);
    if (evidence.sizeOf(ra) !== 1) continue;
    let best = Infinity;
    let bestNeighbour = -1;
    for (let j = 0; j < k; j++) {
      const b = indices[a * k + j];
      if (b < 0) break;
      const rb = evidence.root(b);
      if (evidence.sizeOf(rb) < 2) continue;
      const d = evidence.averageDistance(ra, rb);
      if (d < best || (d === best && b < bestNeighbour)) {
        best = d;
        bestNeighbour = b;
      }
    }
    if (bestNeighbour >= 0 && best <= maxAverageDistance) {
      candFace.push(a);
      candNeighbour.push(bestNeighbour);
      candD.push(best);
    }
  }
  const order = Array.from(candD.keys()).sort((x, y) => candD[x] - candD[y] || candFace[x] - candFace[y]);
  let merges = 0;
  for (const c of order) if (evidence.union(candFace[c], candNeighbour[c], maxAverageDistance)) merges++;
  return merges;
}
