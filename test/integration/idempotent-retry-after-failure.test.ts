import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingAnalyzer, flakyEmbedQueue, idempotencyOn, idempotentStages } from './setup/idempotency.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// The idempotency layer must not turn a failure into a remembered result: an S3 event whose first
// attempt failed after detection (the embed queue refused the job: an injected throttling error)
// comes back from the real SQS queue after its visibility timeout and runs in full then (detected
// again, its embed job sent), with the idempotency table on the DynamoDB emulator.
describe('a message whose first attempt failed', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('idem-retry', { visibilityTimeoutSeconds: { detect: 2 } });
  });
  afterAll(async () => p?.stop());

  it('is retried and processed, not suppressed', async () => {
    const analyzer = countingAnalyzer(p.local.analyzer);
    const embedQueue = flakyEmbedQueue(p);
    const { detect } = idempotentStages(p, await idempotencyOn(p), analyzer, embedQueue);
    const photo = bobPhotos()[0]!;
    await p.upload(BOB, photo.fileName, photo.bytes);

    embedQueue.failNext();
    const first = await p.local.poll('detect', 1, detect);
    expect(first.received).toBe(1);
    expect(first.failures).toHaveLength(1);
    expect(await p.local.depth('embed')).toBe(0);

    // SQS delivers it again once the visibility timeout has passed.
    let again = await p.local.poll('detect', 5, detect);
    for (let i = 0; i < 5 && again.received === 0; i++) again = await p.local.poll('detect', 5, detect);
    expect(again).toEqual({ received: 1, failures: [] });
    expect(analyzer.calls.analyze).toBe(2);
    const [stored] = await p.runtime.faces.listPhotos(BOB);
    expect(stored?.status).toBe('detected');
    expect((await p.runtime.faces.listFaces(BOB)).length).toBeGreaterThan(0);
    expect(await p.local.depth('detect')).toBe(0);
    expect(await p.embedQueue.drain()).toHaveLength(1); // the job the failed attempt could not send
  });
});
