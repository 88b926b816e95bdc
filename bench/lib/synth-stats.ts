/** Same/different cosine-similarity statistics: real dev-set vectors vs the synthetic generator. */
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { loadCachedSet } from './cached.ts';

function stats(vectors: Float32Array[], labels: string[]): string {
  const same: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < vectors.length; i++)
    for (let j = i + 1; j < vectors.length; j++) {
      let s = 0;
      for (let d = 0; d < vectors[i].length; d++) s += vectors[i][d] * vectors[j][d];
      (labels[i] === labels[j] ? same : diff).push(s);
    }
  const ms = (a: number[]): string => {
    const m = a.reduce((x, y) => x + y, 0) / a.length;
    const sd = Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / a.length);
    const sorted = [...a].sort((x, y) => x - y);
    return `mean ${m.toFixed(3)} sd ${sd.toFixed(3)} p1 ${sorted[Math.floor(0.01 * a.length)].toFixed(3)} p99 ${sorted[Math.floor(0.99 * a.length)].toFixed(3)} max ${sorted[a.length - 1].toFixed(3)}`;
  };
  return `same ${ms(same)} | diff ${ms(diff)}`;
}

const real = loadCachedSet(process.argv[2] ?? 'lfw-df-dev');
console.log(
  'real     ',
  stats(
    real.faces.map((f) => f.vector),
    real.truth,
  ),
);
const args = JSON.parse(process.argv[3] ?? '{}') as Record<string, number>;
const syn = syntheticFaces({ faces: 1500, ...args });
console.log(
  'synthetic',
  stats(
    syn.faces.map((f) => f.vector),
    syn.truth,
  ),
  syn.identities,
  'identities',
);
