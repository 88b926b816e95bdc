/** `tsx bench/vector-codec.ts [set]`: what the stored vector codec costs in verification accuracy.
 * Embeds a labelled set (default lfw-df-dev; the cache of `bench/lib/embed-sets.ts` is used when
 * present), stores every vector through each codec and reads it back, and prints TAR@FAR=1e-3 and
 * AUC of the decoded vectors next to the float32 originals, with the bytes per 512-D vector. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeVector, encodeVector, type VectorCodec } from '#adapters/shared/vector-codec.ts';
import { readEngineConfig } from '#config/engine.ts';
import { verificationMetrics } from '#core/metrics/verification.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { dataPath } from '#test/helpers/data.ts';
import { loadCachedSet, vectorsDir } from './lib/cached.ts';
import { embedLabelledDir } from './lib/labelled.ts';

const set = process.argv[2] ?? 'lfw-df-dev';

async function labelledVectors(): Promise<{ vectors: Float32Array[]; labels: string[]; source: string }> {
  if (existsSync(join(vectorsDir, `${set}.json`))) {
    const cached = loadCachedSet(set);
    return { vectors: cached.faces.map((f) => f.vector), labels: cached.truth, source: 'cache' };
  }
  const analyzer = await createFaceAnalyzer(readEngineConfig());
  try {
    const embedded = await embedLabelledDir(dataPath(set), analyzer);
    return {
      vectors: embedded.faces.map((f) => f.vector),
      labels: embedded.faces.map((f) => f.identity),
      source: `embedded now (${embedded.missed.length} missed)`,
    };
  } finally {
    await analyzer.dispose();
  }
}

const { vectors, labels, source } = await labelledVectors();
const base = verificationMetrics(vectors, labels);
const rows = (['f32', 'i8'] as VectorCodec[]).map((codec) => {
  const decoded = vectors.map((v) => decodeVector(encodeVector(v, codec), v.length));
  const m = verificationMetrics(decoded, labels);
  return {
    codec,
    bytes: encodeVector(vectors[0]!, codec).byteLength,
    tar: m.tar_at_far,
    auc: m.auc,
    tarLoss: base.tar_at_far - m.tar_at_far,
  };
});
const lines = [
  `${set}: ${vectors.length} faces (${source}), ${base.same_pairs} genuine / ${base.different_pairs} impostor pairs; float32 TAR@FAR=1e-3 ${base.tar_at_far.toFixed(4)}, AUC ${base.auc.toFixed(5)}`,
  '',
  '| codec | bytes per vector | TAR@FAR=1e-3 | TAR loss vs float32 | AUC |',
  '|---|---|---|---|---|',
  ...rows.map(
    (r) => `| ${r.codec} | ${r.bytes} | ${r.tar.toFixed(4)} | ${r.tarLoss.toFixed(4)} | ${r.auc.toFixed(5)} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
if (process.argv.includes('--json'))
  process.stdout.write(JSON.stringify({ set, faces: vectors.length, float32: base, codecs: rows }) + '\n');
