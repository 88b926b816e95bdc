import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultClusterer, type Clusterer } from '#core/pipeline/deps.ts';
import { describeWithData } from '#test/helpers/data.ts';
import { createClusterHandler } from '../../functions/cluster/handler.ts';
import { idempotencyOn } from './setup/idempotency.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, alicePhotos } from './setup/users.ts';

// The cluster worker with Powertools idempotency on the DynamoDB emulator: a job message delivered
// again after it completed (its delete was lost) replays the outcome instead of clustering the user
// again, even when the user was flagged again meanwhile (without the layer the stale delivery would
// run a second clustering); the next scheduled job, a new message, does run.
describeWithData('a redelivered cluster job clusters once', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('idem-cluster');
    for (const photo of alicePhotos().slice(0, 3)) await p.upload(ALICE, photo.fileName, photo.bytes);
    expect(await p.settle()).toEqual([]);
  }, 600_000);
  afterAll(async () => p?.stop());

  it('replays a completed job, and runs the next one', async () => {
    const layer = await idempotencyOn(p);
    let runs = 0;
    const counting: Clusterer = (...args) => {
      runs++;
      return defaultClusterer(...args);
    };
    const worker = createClusterHandler({
      ...p.runtime,
      cluster: counting,
      modelId: p.local.analyzer.embedderId,
      idempotency: layer('cluster'),
    });
    await p.runtime.faces.markNeedsClustering(ALICE); // settle() clustered once already: ask again
    await p.clusterSchedule();
    const job = await p.clusterQueue.drain();
    expect(job).toHaveLength(1);
    expect((await worker({ Records: job })).batchItemFailures).toEqual([]);
    expect(runs).toBe(1);
    const people = await p.runtime.faces.listPeople(ALICE);
    expect(people.length).toBeGreaterThan(0);

    // A new photo flags the user again; the old message comes back (its delete was lost).
    await p.runtime.faces.markNeedsClustering(ALICE);
    expect((await worker({ Records: job })).batchItemFailures).toEqual([]);
    expect(runs).toBe(1);
    expect(await p.runtime.faces.listPeople(ALICE)).toEqual(people);

    // The schedule's next job for the new flag is a new message: it runs.
    await p.clusterSchedule();
    const next = await p.clusterQueue.drain();
    expect(next).toHaveLength(1);
    expect(next[0]!.messageId).not.toBe(job[0]!.messageId);
    expect((await worker({ Records: next })).batchItemFailures).toEqual([]);
    expect(runs).toBe(2);
  });
});
