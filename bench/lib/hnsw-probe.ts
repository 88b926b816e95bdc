/** Probe usearch build/search cost and recall on synthetic faces:
 * `tsx bench/lib/hnsw-probe.ts N dim [M,efC,efS,quant ...]` (default: the large-n presets). */
import { exactKnnRows, knnRecall } from '#core/cluster/knn/index.ts';
import { HnswKnnIndex } from '#core/cluster/knn/hnsw.ts';
import { prepareFaces } from '#core/cluster/prepare.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';

const n = Number(process.argv[2] ?? 20000);
const dim = Number(process.argv[3] ?? 512);
type Quant = 'f32' | 'f16' | 'i8';
const configs = (process.argv.length > 4 ? process.argv.slice(4) : ['12,40,40,f32', '12,40,40,i8']).map((s) => {
  const [m, a, e, q] = s.split(',');
  return [Number(m), Number(a), Number(e), q as Quant] as const;
});
const m = prepareFaces(syntheticFaces({ faces: n, dim }).faces).matrix;
const rows = Array.from({ length: 200 }, (_, i) => Math.floor((i * n) / 200));
const truth = exactKnnRows(m, rows, 10);
for (const [connectivity, expansionAdd, expansionSearch, q] of configs) {
  const t0 = performance.now();
  const idx = new HnswKnnIndex(m, { connectivity, expansionAdd, expansionSearch, quantization: q });
  const t1 = performance.now();
  const g = idx.neighbours(10);
  const t2 = performance.now();
  console.log(
    `n=${n} dim=${dim} M=${connectivity} efC=${expansionAdd} efS=${expansionSearch} ${q}: build ${((t1 - t0) / 1000).toFixed(1)}s search ${((t2 - t1) / 1000).toFixed(1)}s recall@10 ${knnRecall(truth, g, rows).toFixed(3)}`,
  );
  idx.dispose();
}
