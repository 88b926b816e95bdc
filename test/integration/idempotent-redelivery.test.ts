import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingAnalyzer, idempotencyOn, idempotentStages } from './setup/idempotency.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// Powertools idempotency on the DynamoDB emulator, on top of the core's content-hash checks: an S3
// event delivered again before its photo was embedded (the core sees a photo still `detected` and
// would detect it again) and an embed job delivered again (the core would embed again) run their
// models once. The records stay exactly what one delivery leaves.
describe('a redelivered message runs its model once', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('idem', { s3Notifications: true });
  });
  afterAll(async () => p?.stop());

  it('detects each uploaded photo once and embeds each job once, whatever the deliveries', async () => {
    const layer = await idempotencyOn(p);
    const analyzer = countingAnalyzer(p.local.analyzer);
    const stages = idempotentStages(p, layer, analyzer);
    for (const ph of bobPhotos().slice(0, 3)) await p.upload(BOB, ph.fileName, ph.bytes);
    const events = await p.s3Events.drain();
    expect(events).toHaveLength(3);

    expect((await stages.detect({ Records: events })).batchItemFailures).toEqual([]);
    expect(analyzer.calls.analyze).toBe(3);
    const detected = await p.runtime.faces.listFaces(BOB);
    // Delivered again, before embedding, one of them twice in one batch.
    expect((await stages.detect({ Records: [...events, events[0]!] })).batchItemFailures).toEqual([]);
    expect(analyzer.calls.analyze).toBe(3);
    expect(await p.runtime.faces.listFaces(BOB)).toEqual(detected);

    const jobs = await p.embedQueue.drain();
    expect(jobs).toHaveLength(3); // one per photo: the redeliveries queued no second job
    expect((await stages.embed({ Records: jobs })).batchItemFailures).toEqual([]);
    expect(analyzer.calls.embedCrops).toBe(3);
    const vectors = await p.runtime.faces.listVectors(BOB, analyzer.embedderId);
    expect(vectors.length).toBe(detected.length);
    expect((await stages.embed({ Records: [...jobs, jobs[1]!] })).batchItemFailures).toEqual([]);
    expect(analyzer.calls.embedCrops).toBe(3);
    expect(await p.runtime.faces.listVectors(BOB, analyzer.embedderId)).toEqual(vectors);
  });
});
