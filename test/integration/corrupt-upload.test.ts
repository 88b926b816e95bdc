import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// One bad upload never fails a batch: it gets an error status, the other photos go on.
describe('corrupt upload in a batch', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('corrupt');
  });
  afterAll(async () => p?.stop());

  it('records an error for the corrupt photo and completes the rest of the batch', async () => {
    const [a, b] = bobPhotos();
    const good1 = await p.upload(BOB, a!.fileName, a!.bytes);
    const truncated = await p.upload(BOB, 'truncated.jpg', a!.bytes.subarray(0, 600));
    const notImage = await p.upload(BOB, 'notes.jpg', new TextEncoder().encode('this is not a photo'));
    const good2 = await p.upload(BOB, b!.fileName, b!.bytes);
    // A key that matches the notification prefix but not the uploads/<user>/<file> layout.
    const misplaced = 'uploads/stray.jpg';
    await p.aws.s3.send(new PutObjectCommand({ Bucket: p.aws.bucket, Key: misplaced, Body: a!.bytes }));
    const records = await p.s3Events.drain();
    expect(records.length).toBeGreaterThanOrEqual(5);

    const res = await p.detect(records);
    expect(res.batchItemFailures).toEqual([]);
    expect(await p.settle()).toEqual([]);

    const faces = p.runtime.faces;
    for (const key of [truncated, notImage]) {
      const photo = await faces.getPhoto(BOB, photoIdOfKey(key));
      expect(photo?.status).toBe('error');
      expect(photo?.error?.code).toMatch(/\S/);
      expect(photo?.faceCount).toBe(0);
    }
    for (const key of [good1, good2]) {
      const photo = await faces.getPhoto(BOB, photoIdOfKey(key));
      expect(photo?.status).toBe('embedded');
      expect(photo!.faceCount).toBeGreaterThan(0);
    }
    expect((await faces.listPhotos(BOB)).map((x) => x.sourceKey)).not.toContain(misplaced);
    const api = await p.api(BOB, 'GET', '/photos');
    const errored = api.body.photos.filter((x: { status: string }) => x.status === 'error');
    expect(errored.map((x: { sourceKey: string }) => x.sourceKey).sort()).toEqual([notImage, truncated].sort());
  });
});
