import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { LOCAL_USER } from '#cli/commands/cluster.ts';
import type { VectorRecord } from '#core/ports/face-store.ts';
import { dataPath, describeWithData, repoRoot } from '#test/helpers/data.ts';
import { runCluster } from './cluster-helpers.ts';

/** Issue 13, item 5 (rest): stored vectors are keyed by the model's content hash. Vectors made by
 * other weights under the same model id and package version (damaged weights an older rankface
 * loaded without checking; here: a models folder whose manifest pins the damaged file) used to be
 * reused after `npm run models` repaired the weights: the photo counted as analysed. Now the
 * vector's version carries the content hash, and the faces are embedded again (from their crops). */

const EMBEDDER = 'faceplugin-arcface512';

/** The real models, with the embedder's weights damaged (64 KiB zeroed in the middle: same size,
 * loads, wrong vectors) and the manifest pinning the damaged file, as if it were the right one. */
function damagedModels(dir: string): string {
  mkdirSync(dir);
  const real = join(repoRoot, 'models');
  for (const entry of readdirSync(real)) {
    if (entry === EMBEDDER) cpSync(join(real, entry), join(dir, entry), { recursive: true, dereference: true });
    else if (entry !== 'manifest.json') symlinkSync(join(real, entry), join(dir, entry));
  }
  const weights = join(dir, EMBEDDER, 'model.onnx');
  const bytes = readFileSync(weights);
  bytes.fill(0, bytes.byteLength >> 1, (bytes.byteLength >> 1) + 65_536);
  writeFileSync(weights, bytes);
  const manifest = JSON.parse(readFileSync(join(real, 'manifest.json'), 'utf8')) as {
    models: { id: string; files: { sha256: string }[] }[];
  };
  manifest.models.find((m) => m.id === EMBEDDER)!.files[0]!.sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

async function vectorsOf(outDir: string): Promise<Map<string, VectorRecord>> {
  const store = new SqliteFaceStore(join(outDir, 'rankface.db'));
  try {
    return new Map((await store.listVectors(LOCAL_USER, EMBEDDER)).map((v) => [v.faceId, v]));
  } finally {
    store.close();
  }
}

const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

describeWithData('vectors after the model weights change', () => {
  const root = mkdtempSync(join(tmpdir(), 'rankface-e2e-model-hash-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are computed again with the repaired weights, not reused', async () => {
    const photos = join(root, 'photos');
    mkdirSync(photos);
    for (const f of ['bbt3.jpg', 'bbt4.jpg']) copyFileSync(dataPath('group', 'bbt', f), join(photos, f));
    const clean = await runCluster(photos, join(root, 'clean-out'));
    const right = await vectorsOf(join(root, 'clean-out'));
    expect(right.size).toBe(clean.summary.faces);

    const out = join(root, 'out');
    await runCluster(photos, out, [], { RANKFACE_MODELS: damagedModels(join(root, 'models')) });
    const wrong = await vectorsOf(out);
    // The damage is real: the same faces, other vectors.
    expect([...wrong.keys()].sort()).toEqual([...right.keys()].sort());
    expect(Math.min(...[...wrong].map(([id, v]) => cosine(v.vector, right.get(id)!.vector)))).toBeLessThan(0.99);

    const repaired = await runCluster(photos, out);
    // Embedded again from the stored crops (the model upgrade, issue 12): no photo analysed again.
    expect(repaired.summary.reembedded_faces).toBe(clean.summary.faces);
    expect(repaired.summary.new_photos).toBe(0);
    expect(repaired.summary.reused_photos).toBe(2);
    const now = await vectorsOf(out);
    expect([...now.keys()].sort()).toEqual([...right.keys()].sort());
    for (const [id, v] of now) {
      expect(v.modelVersion, id).toBe(right.get(id)!.modelVersion);
      expect(cosine(v.vector, right.get(id)!.vector), id).toBeGreaterThan(0.9999);
    }
    expect(repaired.summary.people).toBe(clean.summary.people);
  });
});
