/** Calibrated P(same person): a mapping from cosine similarity (same embedder) to the probability
 * that two faces, or a face and a person, show the same person. The curves are fitted per embedder
 * on labelled pairs by `npm run bench:calibrate` and shipped as data (models/calibration.json); the
 * core only evaluates them. Probabilities are at even odds (as many same as different pairs, the LFW
 * verification protocol): a statement about the evidence, not about how common a person is. */

/** P = 1 / (1 + exp(-(a·s + b))) for a similarity s. */
export interface LogisticCurve {
  readonly a: number;
  readonly b: number;
}

export interface EmbedderCalibration {
  /** Face ↔ face: the cosine of the two vectors. */
  readonly face: LogisticCurve;
  /** Face ↔ person: the mean of the face's topK highest similarities to the person's faces. */
  readonly person: LogisticCurve & { readonly topK: number };
  /** P(same to a person) at or above which a new face joins that person before any clustering run. */
  readonly joinThreshold: number;
}

/** What the use-cases need: evaluated curves for one embedder. */
export interface SameCalibration {
  readonly modelId: string;
  /** The exact model (version + content hash) whose vectors are compared; absent: any version. */
  readonly modelVersion?: string;
  face(similarity: number): number;
  /** P(same) of a face and a person from the face's similarities to the person's faces. */
  person(memberSimilarities: readonly number[]): number;
  /** The similarity the person curve reads (mean of the top k), for display next to P(same). */
  personSimilarity(memberSimilarities: readonly number[]): number;
  readonly joinThreshold: number;
}

export const logistic = (curve: LogisticCurve, s: number): number => 1 / (1 + Math.exp(-(curve.a * s + curve.b)));

/** Mean of the k largest values (all of them when fewer); NaN for none. */
export function meanOfTop(values: readonly number[], k: number): number {
  if (values.length === 0) return Number.NaN;
  const top = [...values].sort((x, y) => y - x).slice(0, Math.max(1, k));
  return top.reduce((s, v) => s + v, 0) / top.length;
}

export function sameCalibrationOf(modelId: string, c: EmbedderCalibration, modelVersion?: string): SameCalibration {
  const personSimilarity = (sims: readonly number[]): number => meanOfTop(sims, c.person.topK);
  return {
    modelId,
    ...(modelVersion === undefined ? {} : { modelVersion }),
    face: (s) => logistic(c.face, s),
    person: (sims) => (sims.length === 0 ? 0 : logistic(c.person, personSimilarity(sims))),
    personSimilarity,
    joinThreshold: c.joinThreshold,
  };
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
