/** Probe usearch build/search cost and recall on synthetic faces: `tsx bench/lib/hnsw-probe.ts N dim`. */
import { exactKnnRows, knnRecall } from '#core/cluster/knn/index.ts';
import { HnswKnnIndex } from '#core/cluster/knn/hnsw.ts';
import { prepareFaces } from '#core/cluster/prepare.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';

const n = Number(process.argv[2] ?? 20000);
const dim = Number(process.argv[3] ?? 512);
const m = prepareFaces(syntheticFaces({ faces: n, dim }).faces).matrix;
const rows = Array.from({ length: 200 }, (_, i) => Math.floor((i * n) / 200));
const truth = exactKnnRows(m, rows, 10);
for (const [connectivity, expansionAdd, expansionSearch, q] of [[12, 40, 40, 'i8'], [12, 40, 40, 'f16'], [16, 64, 64, 'i8']] as const) {
  const t0 = performance.now();
  const idx = new HnswKnnIndex(m, { connectivity, expansionAdd, expansionSearch, quantization: q });
  const t1 = performance.now();
  const g = idx.neighbours(10);
  const t2 = performance.now();
  console.log(`n=${n} dim=${dim} M=${connectivity} efC=${expansionAdd} efS=${expansionSearch} ${q}: build ${((t1 - t0) / 1000).toFixed(1)}s search ${((t2 - t1) / 1000).toFixed(1)}s recall@10 ${knnRecall(truth, g, rows).toFixed(3)}`);
}
