import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_UPLOAD_BYTES } from '#config/aws.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { BOB } from './setup/users.ts';

// Issue 13 items 8 and 10: the upload ticket binds what the code says it binds. The presigned PUT
// signs the content type (it was left out of the signature); the presigned form POST's policy binds
// the size range (the configured 50 MB limit was read by no code), the content type and the owner.
// The emulator checks no signatures, so this reads what real S3 enforces: the signed headers and
// the policy document.
describe('upload ticket', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('ticket');
  });
  afterAll(async () => p?.stop());

  it('signs the content type into the PUT and binds size, type and owner in the POST policy', async () => {
    const res = await p.api(BOB, 'POST', '/uploads', {}, { fileName: 'scan.png', contentType: 'image/png' });
    expect(res.status).toBe(200);
    const signed = new URL(res.body.url as string).searchParams.get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toContain('content-type');
    expect(signed).toContain('x-amz-meta-owner');
    expect(res.body.headers['content-type']).toBe('image/png');

    expect(res.body.maxBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    const fields = res.body.post.fields as Record<string, string>;
    expect(fields.key).toBe(res.body.key);
    const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual(['content-length-range', 1, DEFAULT_MAX_UPLOAD_BYTES]);
    expect(policy.conditions).toContainEqual({ 'Content-Type': 'image/png' });
    expect(policy.conditions).toContainEqual({ 'x-amz-meta-owner': BOB });
    expect(policy.conditions).toContainEqual({ key: res.body.key });
  });
});
