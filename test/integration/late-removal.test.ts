import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

const eventNameOf = (r: SQSRecord): string =>
  (JSON.parse(r.body) as { Records: { eventName: string }[] }).Records[0]!.eventName;

// Issue 13 item 3: S3 events are unordered. Delete → re-upload → the old ObjectRemoved event
// arrives last: the re-uploaded photo's records must survive it.
describe('late ObjectRemoved event', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('late-removal');
  });
  afterAll(async () => p?.stop());

  it('keeps the records of a key that holds an object again, and removes them once it is really gone', async () => {
    const photo = bobPhotos()[0]!;
    const key = await p.upload(BOB, 'IMG_0001.jpg', photo.bytes);
    await p.remove(key);
    await p.upload(BOB, 'IMG_0001.jpg', photo.bytes);
    const events = await p.s3Events.drain();
    const removals = events.filter((r) => eventNameOf(r).startsWith('ObjectRemoved'));
    const creations = events.filter((r) => eventNameOf(r).startsWith('ObjectCreated'));
    expect(removals).toHaveLength(1);
    expect(creations).toHaveLength(2);

    expect((await p.detect(creations)).batchItemFailures).toEqual([]);
    expect(await p.settle()).toEqual([]);
    const photoId = photoIdOfKey(key);
    const before = await p.runtime.faces.listFacesOfPhoto(BOB, photoId);
    expect(before.length).toBeGreaterThan(0);

    // The removal event of the first upload arrives after the re-upload was processed.
    expect((await p.detect(removals)).batchItemFailures).toEqual([]);
    expect((await p.runtime.faces.getPhoto(BOB, photoId))?.status).toBe('embedded');
    expect(await p.runtime.faces.listFacesOfPhoto(BOB, photoId)).toEqual(before);
    for (const f of before) expect(await p.runtime.blobs.get(f.cropKey!)).toBeDefined();

    // A removal of a key that is really empty still removes the photo.
    await p.remove(key);
    expect((await p.detect(await p.s3Events.drain())).batchItemFailures).toEqual([]);
    expect(await p.runtime.faces.getPhoto(BOB, photoId)).toBeUndefined();
    expect(await p.runtime.faces.listFacesOfPhoto(BOB, photoId)).toEqual([]);
  });
});
