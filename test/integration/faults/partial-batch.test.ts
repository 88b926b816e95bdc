import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectWithFaults, drainStage, faultVisibility, waitForRedelivery } from '../setup/faults.ts';
import { startPipeline, type Pipeline } from '../setup/pipeline.ts';
import { ALICE, bobPhotos } from '../setup/users.ts';

// One message of a batch fails (S3 throttles one read): the handler reports only that message in
// batchItemFailures, the event source mapping deletes the others, and only the failed one comes back.
describe('partial batch failure', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('fault-partial', { visibilityTimeoutSeconds: faultVisibility });
  });
  afterAll(async () => p?.stop());

  it('retries only the failed message and loses no photo', async () => {
    const photos = bobPhotos().slice(0, 4);
    const keys = [];
    for (const ph of photos) keys.push(await p.upload(ALICE, ph.fileName, ph.bytes));
    const flaky = keys[2]!;

    const first = await p.local.poll('detect', 0, detectWithFaults(p, new Map([[flaky, 1]])));
    expect(first.received).toBe(photos.length);
    expect(first.failures).toHaveLength(1);
    expect((await p.runtime.faces.listPhotos(ALICE)).length).toBe(photos.length - 1);

    await waitForRedelivery();
    const retried = await p.local.poll('detect');
    expect(retried).toEqual({ received: 1, failures: [] });
    expect(await drainStage(p, 'detect')).toEqual([]);
    expect(await p.settle()).toEqual([]);

    const after = await p.runtime.faces.listPhotos(ALICE);
    expect(after.map((r) => r.sourceKey).sort()).toEqual([...keys].sort());
    expect(after.every((r) => r.status === 'embedded')).toBe(true);
    expect(await p.local.depth('detect', 'dlq')).toBe(0);
  });
});
