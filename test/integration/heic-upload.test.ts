import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithData } from '#test/helpers/data.ts';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { heicHeaderOnly } from '../unit/image/bad-inputs.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

// HEIC photos cannot be decoded here (the prebuilt sharp has no HEVC decoder). The API refuses
// them before any upload (415, with what to do instead); one placed in the bucket anyway gets a
// typed error and an `error` status on its first delivery, is never retried, and does not stop the
// photo beside it in the batch. No HEVC-coded HEIC file exists on this machine: the bytes are an
// HEIC file's ftyp box ('heic' brand) with no decodable image, which takes the same path.
describeWithData('HEIC uploads', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('heic');
  }, 300_000);
  afterAll(async () => p?.stop());

  it('refuses an HEIC upload ticket with a clear message', async () => {
    for (const body of [
      { fileName: 'IMG_0001.jpg', contentType: 'image/heic' },
      { fileName: 'IMG_0001.HEIC', contentType: 'image/jpeg' },
    ]) {
      const out = await p.api(BOB, 'POST', '/uploads', {}, body);
      expect(out.status, JSON.stringify(body)).toBe(415);
      expect(out.body.error).toMatch(/HEIC .*JPEG/);
    }
  });

  it('records a typed error for an HEIC object on its first delivery and never retries it', async () => {
    const [a] = bobPhotos();
    const heic = await p.upload(BOB, 'IMG_0002.HEIC', heicHeaderOnly());
    const good = await p.upload(BOB, a!.fileName, a!.bytes);
    const records = await p.s3Events.drain();
    expect(records).toHaveLength(2);

    expect((await p.detect(records)).batchItemFailures).toEqual([]);
    const photo = await p.runtime.faces.getPhoto(BOB, photoIdOfKey(heic));
    expect(photo).toMatchObject({ status: 'error', faceCount: 0, error: { code: 'unsupported' } });
    expect(photo?.error?.message).toMatch(/^HEIC \(HEVC-coded\) photos cannot be decoded here: upload JPEG/);
    expect(await p.settle()).toEqual([]);
    expect((await p.runtime.faces.getPhoto(BOB, photoIdOfKey(good)))?.status).toBe('embedded');
    const listed = (await p.api(BOB, 'GET', '/photos')).body.photos as {
      sourceKey: string;
      status: string;
      error: { code: string } | null;
    }[];
    expect(listed.find((x) => x.sourceKey === heic)).toMatchObject({ status: 'error', error: { code: 'unsupported' } });
  });
});
