/** Fitting and scoring of P(same) curves (npm run bench:calibrate, and the held-out check in the tests):
 * weighted logistic regression on one feature (Newton's method) and the expected calibration error,
 * both at even odds (each class carries half the weight). */
import { logistic, type LogisticCurve } from '#core/pipeline/calibration.ts';

export interface Example {
  readonly s: number;
  readonly same: boolean;
}

const classWeights = (xs: readonly Example[]): { pos: number; neg: number } => {
  const pos = xs.filter((x) => x.same).length;
  const neg = xs.length - pos;
  return { pos: pos === 0 ? 0 : 0.5 / pos, neg: neg === 0 ? 0 : 0.5 / neg };
};

/** Maximum-likelihood logistic curve with balanced class weights: Newton's method on the
 * standardised similarity (embedders differ in range: dlib's different-person cosines sit near 0.8),
 * mapped back to the raw similarity. */
export function fitLogistic(raw: readonly Example[]): LogisticCurve {
  const mean = raw.reduce((s, x) => s + x.s, 0) / raw.length;
  const sd = Math.sqrt(raw.reduce((s, x) => s + (x.s - mean) ** 2, 0) / raw.length) || 1;
  const xs = raw.map((x) => ({ s: (x.s - mean) / sd, same: x.same }));
  const fitted = fitStandardised(xs);
  return { a: fitted.a / sd, b: fitted.b - (fitted.a * mean) / sd };
}

function fitStandardised(xs: readonly Example[]): LogisticCurve {
  const w = classWeights(xs);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0,
      gb = 0,
      haa = 1e-9,
      hab = 0,
      hbb = 1e-9;
    for (const x of xs) {
      const wt = x.same ? w.pos : w.neg;
      const p = logistic({ a, b }, x.s);
      const r = (x.same ? 1 : 0) - p;
      const v = wt * p * (1 - p);
      ga += wt * r * x.s;
      gb += wt * r;
      haa += v * x.s * x.s;
      hab += v * x.s;
      hbb += v;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

export interface CalibrationScore {
  readonly pairs: number;
  readonly same: number;
  /** Expected calibration error over 10 equal-width probability bins, classes weighted equally. */
  readonly ece: number;
  /** Largest |predicted − observed| over bins holding at least 1% of the weight. */
  readonly mce: number;
  /** Brier score at even odds. */
  readonly brier: number;
}

export function scoreCalibration(xs: readonly Example[], p: (s: number) => number, bins = 10): CalibrationScore {
  const w = classWeights(xs);
  const acc = Array.from({ length: bins }, () => ({ w: 0, p: 0, y: 0 }));
  let brier = 0;
  for (const x of xs) {
    const wt = x.same ? w.pos : w.neg;
    const q = p(x.s);
    const bin = acc[Math.min(bins - 1, Math.floor(q * bins))]!;
    bin.w += wt;
    bin.p += wt * q;
    bin.y += wt * (x.same ? 1 : 0);
    brier += wt * (q - (x.same ? 1 : 0)) ** 2;
  }
  const total = acc.reduce((s, b) => s + b.w, 0);
  let ece = 0,
    mce = 0;
  for (const b of acc) {
    if (b.w === 0) continue;
    const gap = Math.abs(b.p / b.w - b.y / b.w);
    ece += (b.w / total) * gap;
    if (b.w / total >= 0.01) mce = Math.max(mce, gap);
  }
  return { pairs: xs.length, same: xs.filter((x) => x.same).length, ece, mce, brier: brier / total };
}
