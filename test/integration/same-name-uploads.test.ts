import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoIdOfKey } from '../../functions/shared/runtime.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB, bobPhotos } from './setup/users.ts';

interface Ticket {
  key: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresIn: number;
  uploadId: string;
  fileName: string;
  post: { url: string; fields: Record<string, string> };
}

// Issue 13 item 2: two different photos uploaded under one file name used to share one key, and
// the second silently replaced the first original and its record. Each upload now gets its own key
// (an upload id before the name); the name is kept and listed.
describe('two uploads with the same file name', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('same-name');
  });
  afterAll(async () => p?.stop());

  const ticket = async (): Promise<Ticket> => {
    const res = await p.api(BOB, 'POST', '/uploads', {}, { fileName: 'IMG_0001.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(200);
    return res.body as Ticket;
  };

  it('keeps both originals and both photos, through the PUT and the form POST', async () => {
    const [a, b] = bobPhotos().filter((x, i, all) => all.findIndex((y) => y.identity === x.identity) === i);
    const first = await ticket();
    const second = await ticket();
    // The original response keys are still there.
    for (const t of [first, second])
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['key', 'url', 'method', 'headers', 'expiresIn']));
    expect(first.key).not.toBe(second.key);
    for (const t of [first, second]) {
      expect(t.key.startsWith(`uploads/${BOB}/`)).toBe(true);
      expect(t.key.endsWith('IMG_0001.jpg')).toBe(true);
      expect(t.fileName).toBe('IMG_0001.jpg');
    }

    expect((await fetch(first.url, { method: first.method, body: a!.bytes, headers: first.headers })).status).toBe(200);
    const form = new FormData();
    for (const [k, v] of Object.entries(second.post.fields)) form.append(k, v);
    form.append('file', new Blob([b!.bytes], { type: 'image/jpeg' }), 'IMG_0001.jpg');
    expect((await fetch(second.post.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    expect(await p.settle()).toEqual([]);

    for (const [t, photo] of [
      [first, a!],
      [second, b!],
    ] as const) {
      const stored = await p.aws.s3.send(new GetObjectCommand({ Bucket: p.aws.bucket, Key: t.key }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(Buffer.from(photo.bytes))).toBe(true);
      expect((await p.runtime.faces.getPhoto(BOB, photoIdOfKey(t.key)))?.status).toBe('embedded');
    }
    const listed = (await p.api(BOB, 'GET', '/photos')).body.photos as { sourceKey: string; fileName: string }[];
    expect(listed.map((x) => x.sourceKey).sort()).toEqual([first.key, second.key].sort());
    expect(listed.map((x) => x.fileName)).toEqual(['IMG_0001.jpg', 'IMG_0001.jpg']);
  });
});
