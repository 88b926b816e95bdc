/** `npx tsx bench/engine-profile.ts`: CPU and wall ms per stage of one analyzer (the Lambda code
 * path: one process, default threads) on the cost benchmark's 12 MP photos. A quick probe for
 * engine-speed changes; compare runs made back to back (the machine is shared). Env:
 * RANKFACE_DATA, RANKFACE_PROFILE_ROUNDS (default 2), RANKFACE_PROFILE_THREADS, RANKFACE_PROFILE_AS_SHIPPED=1
 * (the models without the load-time graph rewrites: the "before" of that change). */
import { join } from 'node:path';
import { readEngineConfig } from '#config/engine.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { phoneSizePhotos } from './lib/phone-photos.ts';

const dataDir = process.env.RANKFACE_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data');
const rounds = Number(process.env.RANKFACE_PROFILE_ROUNDS ?? 2);
const threads = process.env.RANKFACE_PROFILE_THREADS ? Number(process.env.RANKFACE_PROFILE_THREADS) : undefined;
const asShipped = process.env.RANKFACE_PROFILE_AS_SHIPPED === '1';
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const photos = await phoneSizePhotos(dataDir, 4, 20);
const c0 = cpuMs(),
  w0 = performance.now();
const analyzer = await createFaceAnalyzer(readEngineConfig(), {
  ...(threads === undefined ? {} : { threads }),
  ...(asShipped ? { graphRewrites: false } : {}),
});
process.stdout.write(
  `cold start: ${(cpuMs() - c0).toFixed(0)} ms CPU, ${(performance.now() - w0).toFixed(0)} ms wall\n`,
);
await analyzer.analyze(photos[0]!.bytes); // warm-up
for (let r = 0; r < rounds; r++) {
  const sums: Record<string, number> = {};
  let faces = 0;
  const c = cpuMs(),
    w = performance.now();
  for (const p of photos) {
    const res = await analyzer.analyze(p.bytes);
    faces += res.faces.length;
    for (const [k, v] of Object.entries(res.timings ?? {})) sums[k] = (sums[k] ?? 0) + v;
  }
  const per = (x: number): string => (x / photos.length).toFixed(0);
  const stages = Object.entries(sums)
    .map(([k, v]) => `${k} ${per(v)}`)
    .join(', ');
  process.stdout.write(
    `round ${r}: ${photos.length} photos, ${faces} faces; per photo: CPU ${per(cpuMs() - c)} ms, wall ${per(performance.now() - w)} ms; wall by stage: ${stages}; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`,
  );
}
await analyzer.dispose();
