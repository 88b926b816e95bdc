import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore, vectorKeyRanges } from '#adapters/aws/dynamo-face-store.ts';
import type { VectorRecord } from '#core/ports/face-store.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

/** Unit vectors with the spread of real embeddings. */
function unitVector(seed: number, dim = 512): Float32Array {
  const v = new Float32Array(dim);
  let x = seed;
  for (let i = 0; i < dim; i++) {
    x = (x * 1664525 + 1013904223) % 4294967296;
    v[i] = x / 4294967296 - 0.5;
  }
  const norm = Math.hypot(...v);
  return v.map((c) => c / norm);
}
const cosine = (a: Float32Array, b: Float32Array): number =>
  a.reduce((s, x, i) => s + x * b[i]!, 0) /
  Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));

// Vectors on DynamoDB Local through the default int8 codec: every one of a user's vectors comes
// back from the parallel key-range read (photo ids spread over all 16 ranges), in key order, close
// to what was written; an item written before the codec was versioned (raw float32) still reads.
describe('DynamoFaceStore vectors: int8 codec, parallel ranges, older items', () => {
  let aws: LocalAws;
  let store: DynamoFaceStore;
  beforeAll(async () => {
    aws = await startLocalAws({ name: 'vec' });
    store = new DynamoFaceStore(aws.dynamo, aws.table);
  });
  afterAll(async () => aws?.stop());

  it('reads every vector of every key range, in key order, int8 within cosine 0.9999, legacy float32 bit-exact', async () => {
    const hex = '0123456789abcdef';
    const written: VectorRecord[] = [];
    for (let i = 0; i < 64; i++) {
      const photoId = `${hex[i % 16]}${hex[(i * 7) % 16]}${String(i).padStart(22, '0')}`;
      written.push({
        userId: 'alice',
        faceId: `${photoId}#000`,
        photoId,
        modelId: 'm1',
        modelVersion: '1',
        vector: unitVector(i + 1),
      });
    }
    await store.putVectors(written);
    await store.putVectors([{ ...written[0]!, userId: 'bob' }]);
    // An item as the adapter wrote it before the codec: raw little-endian float32, no header.
    const legacy = unitVector(999);
    const legacyFace = 'f0legacy00000000000000000#001';
    await aws.dynamo.send(
      new PutItemCommand({
        TableName: aws.table,
        Item: {
          PK: { S: 'USER#alice' },
          SK: { S: `VEC#m1#${legacyFace}` },
          type: { S: 'vector' },
          userId: { S: 'alice' },
          faceId: { S: legacyFace },
          photoId: { S: 'f0legacy00000000000000000' },
          modelId: { S: 'm1' },
          modelVersion: { S: '1' },
          dim: { N: '512' },
          vector: { B: new Uint8Array(legacy.buffer.slice(0)) },
        },
      }),
    );

    const back = await store.listVectors('alice', 'm1');
    const ids = [...written.map((w) => w.faceId), legacyFace].sort();
    expect(back.map((b) => b.faceId)).toEqual(ids);
    for (const w of written)
      expect(cosine(back.find((b) => b.faceId === w.faceId)!.vector, w.vector)).toBeGreaterThan(0.9999);
    const legacyBack = back.find((b) => b.faceId === legacyFace)!.vector;
    expect(Buffer.from(legacyBack.buffer).equals(Buffer.from(legacy.buffer))).toBe(true);
    expect(await store.countVectors('alice', 'm1')).toBe(65);
    expect((await store.listVectors('bob', 'm1')).map((b) => b.faceId)).toEqual([written[0]!.faceId]);
    expect(await store.listVectors('alice', 'm2')).toEqual([]);
  });

  it('splits the key space into contiguous ranges that stop before the next model id', () => {
    const ranges = vectorKeyRanges('VEC#m1#');
    expect(ranges).toHaveLength(16);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
    expect(ranges[0]![0]).toBe('VEC#m1#');
    expect(ranges[15]![1]).toBe('VEC#m1$');
    expect('VEC#m10#abc' > ranges[15]![1] || 'VEC#m10#abc' < ranges[0]![0]).toBe(true);
  });
});
