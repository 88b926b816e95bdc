import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, bobPhotos } from './setup/users.ts';

// S3 and SQS deliver at least once: every event delivered twice (across batches and inside one
// batch) must leave exactly the records one delivery leaves.
describe('duplicate delivery', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('dup');
  });
  afterAll(async () => p?.stop());

  const snapshot = async () => {
    const faces = p.runtime.faces;
    const photos = (await faces.listPhotos(ALICE)).map(({ updatedAt: _u, ...rest }) => rest);
    const vectors = (await faces.listVectors(ALICE, 'faceplugin-arcface512')).map((v) => ({
      ...v,
      vector: Buffer.from(v.vector.buffer).toString('base64'),
    }));
    const people = (await faces.listPeople(ALICE)).map(({ updatedAt: _u, ...rest }) => rest);
    const crops = await p.runtime.blobs.list(`faces/${ALICE}/`);
    return { photos, faces: await faces.listFaces(ALICE), vectors, people, crops };
  };

  it('changes nothing when events and messages arrive twice', async () => {
    for (const ph of bobPhotos().slice(0, 6)) await p.upload(ALICE, ph.fileName, ph.bytes);
    const s3Records = await p.s3Events.drain();
    expect(s3Records).toHaveLength(6);
    expect((await p.detect(s3Records)).batchItemFailures).toEqual([]);
    const embedJobs = await p.embedQueue.drain();
    expect((await p.embed(embedJobs)).batchItemFailures).toEqual([]);
    expect(await p.settle()).toEqual([]);
    const once = await snapshot();
    expect(once.faces.length).toBeGreaterThanOrEqual(6);
    expect(once.vectors).toHaveLength(once.faces.length);
    expect(once.people.length).toBeGreaterThan(0);

    // Redeliver everything: the S3 events (twice within one batch), then the embed jobs.
    expect((await p.detect([...s3Records, s3Records[0]!])).batchItemFailures).toEqual([]);
    expect((await p.embed([...embedJobs, ...(await p.embedQueue.drain())])).batchItemFailures).toEqual([]);
    expect(await p.settle()).toEqual([]);
    expect(await snapshot()).toEqual(once);
  });
});
