/** `npm run bench:startup`: how long a no-op `rankface` command takes to start, prebuilt bundle vs
 * tsx, against bare `node -e 0` (the floor on this machine). Medians of alternating runs, so machine
 * load hits every column alike. Builds the bundle first if it is missing or stale. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '#config/engine.ts';

const RUNS = Number(process.argv[2] ?? 7);
const bin = join(repoRoot, 'bin', 'rankface.js');

interface Variant {
  readonly name: string;
  readonly args: string[];
  readonly env?: Record<string, string>;
}

const variants: Variant[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'rankface --help (bundle)', args: [bin, '--help'] },
  { name: 'rankface --help (tsx)', args: [bin, '--help'], env: { RANKFACE_NO_BUNDLE: '1' } },
  { name: 'rankface doctor (bundle)', args: [bin, 'doctor'] },
  { name: 'rankface doctor (tsx)', args: [bin, 'doctor'], env: { RANKFACE_NO_BUNDLE: '1' } },
];

function timeOnce(v: Variant): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, v.args, { env: { ...process.env, ...v.env }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${v.name} exited with ${r.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-cli.js')], { stdio: 'inherit' });
const samples = new Map(variants.map((v) => [v.name, [] as number[]]));
for (let i = 0; i < RUNS; i++) for (const v of variants) samples.get(v.name)?.push(timeOnce(v));
const floor = median(samples.get('node -e 0') ?? []);
console.log(`| command | median ms | over node -e 0 |\n|---|---:|---:|`);
for (const [name, xs] of samples)
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${(median(xs) - floor).toFixed(0)} |`);
