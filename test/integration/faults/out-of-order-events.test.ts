import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '#core/pipeline/index.ts';
import { photoIdOfKey } from '../../../functions/shared/runtime.ts';
import { drainStage, faultVisibility } from '../setup/faults.ts';
import { startPipeline, type Pipeline } from '../setup/pipeline.ts';
import { ALICE, bobPhotos } from '../setup/users.ts';

// S3 notifications are at-least-once and unordered. Here every event reaches the real detect queue
// twice and in the wrong order: a replaced photo's first "created" after its second, a deleted
// photo's "removed" before its "created". The result must be what the bucket holds at the end.
describe('duplicate and out-of-order S3 events', () => {
  let p: Pipeline;
  beforeAll(async () => {
    // The test is the bucket notification: it sends the events itself, in its own order.
    p = await startPipeline('fault-order', { visibilityTimeoutSeconds: faultVisibility, s3Notifications: false });
  });
  afterAll(async () => p?.stop());

  const event = (eventName: string, key: string): S3Event =>
    ({
      Records: [{ eventName, eventSource: 'aws:s3', s3: { bucket: { name: p.aws.bucket }, object: { key } } }],
    }) as unknown as S3Event;

  it('ends with exactly the photos and faces the bucket holds', async () => {
    const [v1, v2, gone, kept] = bobPhotos().filter((_, i) => i % 3 === 0);
    const replaced = await p.upload(ALICE, 'replaced.jpg', v1!.bytes);
    await p.upload(ALICE, 'replaced.jpg', v2!.bytes);
    const deleted = await p.upload(ALICE, 'deleted.jpg', gone!.bytes);
    await p.remove(deleted);
    const twice = await p.upload(ALICE, 'twice.jpg', kept!.bytes);

    for (const e of [
      event('ObjectRemoved:Delete', deleted),
      event('ObjectCreated:Put', replaced), // the second put's event first
      event('ObjectCreated:Put', twice),
      event('ObjectCreated:Put', deleted),
      event('ObjectCreated:Put', twice),
      event('ObjectCreated:Put', replaced), // the first put's event last (a duplicate of its key)
      event('ObjectCreated:Put', deleted),
    ])
      p.local.notify(e);
    expect(await drainStage(p, 'detect')).toEqual([]);
    expect(await p.settle()).toEqual([]);

    const photos = await p.runtime.faces.listPhotos(ALICE);
    expect(photos.map((r) => r.sourceKey).sort()).toEqual([replaced, twice].sort());
    expect(photos.find((r) => r.sourceKey === replaced)?.contentHash).toBe(sha256Hex(v2!.bytes));
    expect(photos.every((r) => r.status === 'embedded')).toBe(true);

    // Faces only of the two photos the bucket holds, each face once, a vector each.
    const faces = await p.runtime.faces.listFaces(ALICE);
    expect(new Set(faces.map((f) => f.photoId))).toEqual(new Set([photoIdOfKey(replaced), photoIdOfKey(twice)]));
    expect(new Set(faces.map((f) => f.faceId)).size).toBe(faces.length);
    expect(await p.runtime.faces.listVectors(ALICE, p.local.analyzer.embedderId)).toHaveLength(faces.length);
    const crops = await p.runtime.blobs.list(`faces/${ALICE}/`);
    expect(crops.every((k) => !k.includes(photoIdOfKey(deleted)))).toBe(true);
  });
});
