import { clusterWithStats } from '#core/cluster/index.ts';
import { syntheticFaces } from '#core/cluster/synthetic.ts';
import { clusteringMetrics, labelsFromResult } from '#core/metrics/index.ts';

/** `rankface bench cluster --faces N [--dim D] [--seed S] [--json]`: cluster N calibrated synthetic
 * faces (docs/clustering.md) with the default options and report time, peak memory and quality.
 * The JSON keys {faces, seconds, peak_rss_mb, pairwise_f, bcubed_f} are read by other tools. */

export interface ClusterBenchResult {
  readonly faces: number;
  readonly seconds: number;
  readonly peak_rss_mb: number;
  readonly pairwise_f: number;
  readonly bcubed_f: number;
}

export interface ClusterBenchDetails extends ClusterBenchResult {
  readonly dim: number;
  readonly identities: number;
  readonly algorithm: string;
  readonly knn: string;
  readonly generate_seconds: number;
  readonly pairwise_precision: number;
  readonly pairwise_recall: number;
  readonly people: number;
  /** Recall@k of the lists clustered (HNSW, then refined) against exact search on a sample (null
   * when the kNN was exact). */
  readonly knn_recall: number | null;
  /** Recall@k of the HNSW index's own lists, before refinement. */
  readonly knn_recall_index: number | null;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

export function runClusterBench(faces: number, dim = 512, seed = 1): ClusterBenchDetails {
  const g0 = performance.now();
  const set = syntheticFaces({ faces, dim, seed });
  const g1 = performance.now();
  // Recall is measured on a few faces only: exact search costs n*d per sampled face.
  const progress = (stage: string): void => {
    process.stderr.write(
      `# ${stage} at ${((performance.now() - g0) / 1000).toFixed(1)} s, rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB\n`,
    );
  };
  progress('generated');
  const run = clusterWithStats(set.faces, { measureKnnRecall: faces > 200_000 ? 20 : 100, onStage: progress });
  const seconds = (performance.now() - g1 - (run.recallMs ?? 0)) / 1000;
  const peak = process.resourceUsage().maxRSS / 1024;
  const m = clusteringMetrics(
    set.truth,
    labelsFromResult(
      set.faces.map((f) => f.id),
      run.result,
    ),
  );
  return {
    faces,
    seconds: round(seconds, 2),
    peak_rss_mb: Math.round(peak),
    pairwise_f: round(m.pairwise.f, 4),
    bcubed_f: round(m.bcubed.f, 4),
    dim,
    identities: set.identities,
    algorithm: run.algorithm,
    knn: run.knnMethod,
    generate_seconds: round((g1 - g0) / 1000, 2),
    pairwise_precision: round(m.pairwise.precision, 4),
    pairwise_recall: round(m.pairwise.recall, 4),
    people: run.result.people.length,
    knn_recall: run.knnRecall === undefined ? null : round(run.knnRecall, 4),
    knn_recall_index: run.knnRecallIndex === undefined ? null : round(run.knnRecallIndex, 4),
  };
}

function usage(): string {
  return 'usage: rankface bench cluster --faces N [--dim D] [--seed S] [--json]';
}

function intOption(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
}

export async function run(args: string[]): Promise<number> {
  if (args[0] !== 'cluster') {
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  let faces: number | undefined;
  let dim: number | undefined;
  let seed: number | undefined;
  try {
    faces = intOption(args, '--faces');
    dim = intOption(args, '--dim');
    seed = intOption(args, '--seed');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage()}\n`);
    return 2;
  }
  if (faces === undefined) {
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  const r = runClusterBench(faces, dim, seed);
  if (args.includes('--json')) {
    const out: ClusterBenchResult = {
      faces: r.faces,
      seconds: r.seconds,
      peak_rss_mb: r.peak_rss_mb,
      pairwise_f: r.pairwise_f,
      bcubed_f: r.bcubed_f,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
    // Details for bench/cluster.ts on stderr: stdout keeps exactly the documented keys.
    process.stderr.write(`# details ${JSON.stringify(r)}\n`);
  } else {
    process.stdout.write(
      `${r.faces} synthetic faces (${r.dim}-D, ${r.identities} identities): ${r.algorithm} with ${r.knn} kNN in ${r.seconds} s, peak RSS ${r.peak_rss_mb} MB\n` +
        `pairwise F ${r.pairwise_f} (P ${r.pairwise_precision}, R ${r.pairwise_recall}), BCubed F ${r.bcubed_f}, ${r.people} people` +
        (r.knn_recall === null
          ? '\n'
          : `; kNN recall@10 vs exact ${r.knn_recall} (HNSW alone ${r.knn_recall_index})\n`),
    );
  }
  return 0;
}
