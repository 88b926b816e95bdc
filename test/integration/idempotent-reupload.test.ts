import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { countingAnalyzer, idempotencyOn, idempotentStages } from './setup/idempotency.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// The idempotency layer must not suppress new work that looks like old work: a new upload under
// the same key (another person's photo) is a new S3 event, and so is a removal, so each runs and
// the photo's records follow what the bucket holds; only the redelivered copy of an event is skipped.
describe('a new upload under a key already processed', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('idem-reupload');
  });
  afterAll(async () => p?.stop());

  it('is detected again, while a redelivery of the first event is not', async () => {
    const analyzer = countingAnalyzer(p.local.analyzer);
    const { detect } = idempotentStages(p, await idempotencyOn(p), analyzer);
    const photos = bobPhotos();
    const first = photos[0]!;
    const other = photos.find((x) => x.identity !== first.identity)!;
    const facesOf = async (key: string): Promise<string[]> =>
      (await p.runtime.faces.listFacesOfPhoto(BOB, photoIdOfKey(key))).map((f) => f.faceId).sort();

    const key = await p.upload(BOB, 'IMG_0001.jpg', first.bytes);
    const [created] = await p.s3Events.drain();
    expect((await detect({ Records: [created!] })).batchItemFailures).toEqual([]);
    const firstFaces = await facesOf(key);
    expect(firstFaces.length).toBeGreaterThan(0);

    await p.upload(BOB, 'IMG_0001.jpg', other.bytes);
    const [replaced] = await p.s3Events.drain();
    expect((await detect({ Records: [replaced!, created!] })).batchItemFailures).toEqual([]);
    expect(analyzer.calls.analyze).toBe(2); // the new upload ran, the old event's redelivery did not
    const secondFaces = await facesOf(key);
    expect(secondFaces.length).toBeGreaterThan(0);
    expect(secondFaces.filter((id) => firstFaces.includes(id))).toEqual([]);

    await p.remove(key);
    const [removed] = await p.s3Events.drain();
    expect((await detect({ Records: [removed!] })).batchItemFailures).toEqual([]);
    expect(await facesOf(key)).toEqual([]);
  });
});
