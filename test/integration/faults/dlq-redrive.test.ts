import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainStage, embedDuringOutage, faultVisibility, MAX_RECEIVES, waitForRedelivery } from '../setup/faults.ts';
import { startPipeline, type Pipeline } from '../setup/pipeline.ts';
import { ALICE, bobPhotos } from '../setup/users.ts';

// An outage of the embed stage long enough to dead-letter every job; once it is over, moving the
// DLQ back onto the queue (the operator's redrive) recovers every face: vectors, photo status, and
// people covering every face.
describe('redrive from the dead-letter queue', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('fault-redrive', { visibilityTimeoutSeconds: faultVisibility });
  });
  afterAll(async () => p?.stop());

  it('recovers every face after an outage dead-lettered the embed jobs', async () => {
    const photos = bobPhotos().slice(0, 6);
    for (const ph of photos) await p.upload(ALICE, ph.fileName, ph.bytes);
    expect(await drainStage(p, 'detect')).toEqual([]);
    const faces = await p.runtime.faces.listFaces(ALICE);
    expect(faces.length).toBeGreaterThanOrEqual(photos.length);

    const outage = embedDuringOutage(p);
    for (let round = 0; round <= MAX_RECEIVES && (await p.local.depth('embed')) > 0; round++) {
      if (round > 0) await waitForRedelivery();
      await drainStage(p, 'embed', outage);
    }
    expect(await p.local.depth('embed')).toBe(0);
    expect(await p.local.depth('embed', 'dlq')).toBe(photos.length);
    expect(await p.runtime.faces.listVectors(ALICE, p.local.analyzer.embedderId)).toEqual([]);

    expect(await p.local.redrive('embed')).toBe(photos.length);
    expect(await p.settle()).toEqual([]);

    const vectors = await p.runtime.faces.listVectors(ALICE, p.local.analyzer.embedderId);
    expect(vectors.map((v) => v.faceId).sort()).toEqual(faces.map((f) => f.faceId).sort());
    expect((await p.runtime.faces.listPhotos(ALICE)).every((r) => r.status === 'embedded')).toBe(true);
    const people = await p.api(ALICE, 'GET', '/people');
    expect(people.status).toBe(200);
    const inPeople = (people.body.people as { faceCount: number }[]).reduce((n, x) => n + x.faceCount, 0);
    const loose = await p.api(ALICE, 'GET', '/faces', {}, undefined, { state: 'unassigned' });
    const gated = await p.api(ALICE, 'GET', '/faces', {}, undefined, { state: 'gated' });
    expect(inPeople + (loose.body.faces as unknown[]).length + (gated.body.faces as unknown[]).length).toBe(
      faces.length,
    );
    expect(await p.local.depth('embed', 'dlq')).toBe(0);
  });
});
