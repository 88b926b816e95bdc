/** How crowded calibrated synthetic faces are at a size: `npx tsx bench/lib/synth-tail.ts <faces> [rows]`.
 * For evenly spaced sample faces (exact search): the share whose nearest impostor is within a cosine
 * distance gate, and the share whose nearest same-identity face is (identities of 2+ faces). */
import { dotRows } from '#core/cluster/knn/dot.ts';
import { prepareFaces } from '#core/cluster/prepare.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';

const n = Number(process.argv[2] ?? 100000);
const rows = Number(process.argv[3] ?? 200);
const set = syntheticFaces({ faces: n, seed: 1 });
const { data, dim } = prepareFaces(set.faces).matrix;
const size = new Map<string, number>();
for (const t of set.truth) size.set(t, (size.get(t) ?? 0) + 1);
const gates = [0.4, 0.45, 0.5, 0.55];
const imp = gates.map(() => 0);
const impSingle = gates.map(() => 0);
const mate = gates.map(() => 0);
let multi = 0;
let single = 0;
for (let q = 0; q < rows; q++) {
  const r = Math.floor((q * n) / rows);
  let bestImp = -1;
  let bestMate = -1;
  for (let j = 0; j < n; j++) {
    if (j === r) continue;
    const s = dotRows(data, r * dim, data, j * dim, dim);
    if (set.truth[j] === set.truth[r]) bestMate = Math.max(bestMate, s);
    else bestImp = Math.max(bestImp, s);
  }
  const isSingle = size.get(set.truth[r]) === 1;
  if (isSingle) single++;
  else multi++;
  gates.forEach((g, i) => {
    if (1 - bestImp <= g) {
      imp[i]++;
      if (isSingle) impSingle[i]++;
    }
    if (!isSingle && 1 - bestMate <= g) mate[i]++;
  });
}
console.log(`${n} faces, ${rows} sampled (${single} single-face identities)`);
gates.forEach((g, i) =>
  console.log(
    `gate ${g}: nearest impostor within: ${(imp[i] / rows).toFixed(3)} (singles ${(impSingle[i] / single).toFixed(3)}); nearest mate within (2+): ${(mate[i] / multi).toFixed(3)}`,
  ),
);
