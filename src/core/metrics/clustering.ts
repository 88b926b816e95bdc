/** Clustering quality against ground truth (see docs/clustering.md and the metrics note). Inputs are
 * per-face labels; a face the clusterer left unassigned must be given a label of its own (it is a
 * singleton cluster), e.g. with `labelsFromResult`. */

export interface PrecisionRecallF {
  readonly precision: number;
  readonly recall: number;
  readonly f: number;
}

export interface ClusteringMetrics {
  readonly pairwise: PrecisionRecallF;
  readonly bcubed: PrecisionRecallF;
  readonly nmi: number;
  /** Predicted clusters of 2+ faces (people). */
  readonly clusters: number;
  /** Faces in no cluster of 2+ (unassigned). */
  readonly singletons: number;
  /** Mean number of predicted clusters (singletons included) covering one identity with 2+ faces. */
  readonly clusters_per_identity: number;
  /** Share of the faces of multi-face identities left alone. */
  readonly singleton_rate: number;
  /** Faces in a cluster whose majority identity is not theirs. */
  readonly wrong_faces: number;
  /** Merge actions to put each multi-face identity back into one cluster, per 100 faces. */
  readonly merges_needed_per_100: number;
  /** Pairs of faces of one photo placed in one cluster. */
  readonly same_photo_violations: number;
}

const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const pairs = (x: number): number => (x * (x - 1)) / 2;

function countBy<T>(values: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

function entropy(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/**
 * @param truth identity of each face
 * @param predicted cluster label of each face (unassigned faces: a unique label each)
 * @param photos photo id of each face (for same-photo violations); optional
 */
export function clusteringMetrics(
  truth: readonly string[],
  predicted: readonly string[],
  photos?: readonly string[],
): ClusteringMetrics {
  const n = truth.length;
  if (predicted.length !== n || (photos && photos.length !== n))
    throw new Error('truth, predicted and photos must have one entry per face');
  const idSize = countBy(truth);
  const clSize = countBy(predicted);
  const cells = contingency(truth, predicted);
  const { tp, mutual, wrong } = cellTotals(cells, clSize, idSize, n);
  let predPairs = 0;
  for (const s of clSize.values()) predPairs += pairs(s);
  let truePairs = 0;
  for (const s of idSize.values()) truePairs += pairs(s);
  const pp = predPairs === 0 ? 1 : tp / predPairs;
  const pr = truePairs === 0 ? 1 : tp / truePairs;
  const { bp, br } = bcubed(truth, predicted, cells, clSize, idSize);
  const hT = entropy(idSize.values(), n);
  const hP = entropy(clSize.values(), n);
  const nmi = hT + hP === 0 ? 1 : (2 * mutual) / (hT + hP);
  const { multi, coverSum, multiFaces, alone } = identityCoverage(truth, predicted, clSize, idSize);
  let clusters = 0;
  let singletons = 0;
  for (const s of clSize.values()) {
    if (s > 1) clusters++;
    else singletons++;
  }
  return {
    pairwise: { precision: pp, recall: pr, f: f1(pp, pr) },
    bcubed: { precision: bp, recall: br, f: f1(bp, br) },
    nmi,
    clusters,
    singletons,
    clusters_per_identity: multi === 0 ? 1 : coverSum / multi,
    singleton_rate: multiFaces === 0 ? 0 : alone / multiFaces,
    wrong_faces: wrong,
    merges_needed_per_100: n === 0 ? 0 : ((coverSum - multi) / n) * 100,
    same_photo_violations: photos ? samePhotoViolations(predicted, photos) : 0,
  };
}

/** Contingency table: cluster -> identity -> count. */
function contingency(truth: readonly string[], predicted: readonly string[]): Map<string, Map<string, number>> {
  const cells = new Map<string, Map<string, number>>();
  for (let i = 0; i < truth.length; i++) {
    let row = cells.get(predicted[i]);
    if (!row) cells.set(predicted[i], (row = new Map()));
    row.set(truth[i], (row.get(truth[i]) ?? 0) + 1);
  }
  return cells;
}

/** Over the table: true-positive pairs, mutual information, faces outside their cluster's majority. */
function cellTotals(
  cells: Map<string, Map<string, number>>,
  clSize: Map<string, number>,
  idSize: Map<string, number>,
  n: number,
): { tp: number; mutual: number; wrong: number } {
  let tp = 0;
  let mutual = 0;
  let wrong = 0;
  for (const [cl, row] of cells) {
    const size = clSize.get(cl)!;
    let majority = 0;
    for (const [id, c] of row) {
      tp += pairs(c);
      mutual += (c / n) * Math.log((c * n) / (size * idSize.get(id)!));
      majority = Math.max(majority, c);
    }
    if (size > 1) wrong += size - majority;
  }
  return { tp, mutual, wrong };
}

/** BCubed precision and recall: per face, the share of its cluster (identity) that is its identity (cluster). */
function bcubed(
  truth: readonly string[],
  predicted: readonly string[],
  cells: Map<string, Map<string, number>>,
  clSize: Map<string, number>,
  idSize: Map<string, number>,
): { bp: number; br: number } {
  const n = truth.length;
  let bp = 0;
  let br = 0;
  for (let i = 0; i < n; i++) {
    const c = cells.get(predicted[i])!.get(truth[i])!;
    bp += c / clSize.get(predicted[i])!;
    br += c / idSize.get(truth[i])!;
  }
  return { bp: n === 0 ? 1 : bp / n, br: n === 0 ? 1 : br / n };
}

/** Per identity of 2+ faces: how many clusters cover it, and how many of its faces are left alone. */
function identityCoverage(
  truth: readonly string[],
  predicted: readonly string[],
  clSize: Map<string, number>,
  idSize: Map<string, number>,
): { multi: number; coverSum: number; multiFaces: number; alone: number } {
  const n = truth.length;
  // Per identity: the distinct clusters its faces are in.
  const clustersOf = new Map<string, Set<string>>();
  for (let i = 0; i < n; i++) {
    let s = clustersOf.get(truth[i]);
    if (!s) clustersOf.set(truth[i], (s = new Set()));
    s.add(predicted[i]);
  }
  let multi = 0;
  let coverSum = 0;
  let multiFaces = 0;
  let alone = 0;
  for (const [id, s] of clustersOf) {
    const size = idSize.get(id)!;
    if (size < 2) continue;
    multi++;
    coverSum += s.size;
  }
  for (let i = 0; i < n; i++) {
    if (idSize.get(truth[i])! < 2) continue;
    multiFaces++;
    if (clSize.get(predicted[i]) === 1) alone++;
  }
  return { multi, coverSum, multiFaces, alone };
}

/** Pairs of faces of one photo placed in one cluster. */
function samePhotoViolations(predicted: readonly string[], photos: readonly string[]): number {
  let violations = 0;
  const byClusterPhoto = countBy(predicted.map((c, i) => `${c}\u0000${photos[i]}`));
  for (const c of byClusterPhoto.values()) violations += pairs(c);
  return violations;
}

/** Per-face cluster labels from a clustering result, in the order of `faceIds`: people are labelled
 * `p<i>`, unassigned faces `u:<face id>` (singleton clusters). */
export function labelsFromResult(
  faceIds: readonly string[],
  result: { readonly people: ReadonlyArray<{ readonly faceIds: readonly string[] }> },
): string[] {
  const label = new Map<string, string>();
  result.people.forEach((p, i) => {
    for (const f of p.faceIds) label.set(f, `p${i}`);
  });
  return faceIds.map((f) => label.get(f) ?? `u:${f}`);
}
