import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

const LIMIT = 1_000_000;

// Issue 13 item 8: the configured upload limit (RANKFACE_MAX_UPLOAD_BYTES) is enforced by detect
// from the object's size (HEAD) before it reads the body: an object over it is recorded as a typed
// `too-large` error, not buffered, not retried; photos under it go on.
describe('upload size limit in detect', () => {
  let p: Pipeline;
  const saved = process.env.RANKFACE_MAX_UPLOAD_BYTES;
  beforeAll(async () => {
    process.env.RANKFACE_MAX_UPLOAD_BYTES = String(LIMIT);
    p = await startPipeline('size-limit');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.RANKFACE_MAX_UPLOAD_BYTES;
    else process.env.RANKFACE_MAX_UPLOAD_BYTES = saved;
    await p?.stop();
  });

  it('records too-large for an object over the limit and processes the one under it', async () => {
    const [a, b] = bobPhotos();
    // A real photo with trailing padding: a decoder would read it fine, only the size is wrong.
    const padded = new Uint8Array(LIMIT + 200_000);
    padded.set(a!.bytes);
    const big = await p.upload(BOB, 'big.jpg', padded);
    const small = await p.upload(BOB, 'small.jpg', b!.bytes);
    expect((await p.detect(await p.s3Events.drain())).batchItemFailures).toEqual([]);
    expect(await p.settle()).toEqual([]);

    const bigRecord = await p.runtime.faces.getPhoto(BOB, photoIdOfKey(big));
    expect(bigRecord?.status).toBe('error');
    expect(bigRecord?.error?.code).toBe('too-large');
    expect(bigRecord?.error?.message).toContain(String(LIMIT));
    expect(await p.runtime.faces.listFacesOfPhoto(BOB, photoIdOfKey(big))).toEqual([]);
    expect((await p.runtime.faces.getPhoto(BOB, photoIdOfKey(small)))?.status).toBe('embedded');
  });
});
