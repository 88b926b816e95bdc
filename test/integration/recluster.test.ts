import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB } from './setup/users.ts';

// POST /recluster queues one clustering job for the caller on the real cluster queue and refuses a
// second request within the minute (429 with retryAfterSeconds), per user: another user may still
// ask. The job runs through the cluster worker and clears the user's flag.
describe('POST /recluster', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('recluster');
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('queues one job per caller and refuses a second within the minute', async () => {
    const first = await p.api(ALICE, 'POST', '/recluster');
    expect(first).toEqual({ status: 202, body: { queued: true } });
    const again = await p.api(ALICE, 'POST', '/recluster');
    expect(again.status).toBe(429);
    expect(again.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(again.body.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await p.api(BOB, 'POST', '/recluster')).status).toBe(202);

    const jobs = await p.clusterQueue.drain();
    expect(jobs.map((j) => (JSON.parse(j.body) as { userId: string }).userId).sort()).toEqual([ALICE, BOB].sort());
    expect((await p.clusterWork(jobs)).batchItemFailures).toEqual([]);
    expect(await p.runtime.faces.listUsersNeedingClustering()).toEqual([]);
  });
});
