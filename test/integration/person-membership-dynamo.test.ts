import { gzipSync } from 'node:zlib';
import { PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { createApiRouter } from '#api/router.ts';
import { calibrationFor } from '#config/calibration.ts';
import { readEngineConfig } from '#config/engine.ts';
import { assignPhotoFaces } from '#core/pipeline/assign-new-faces.ts';
import { EditConflictError, type FaceRecord, type PersonRecord, type VectorRecord } from '#core/ports/face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { placeholderFace } from '#test/helpers/placeholder-face.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// Person membership is one small item pair per face (docs/data-model.md), never a list inside the
// person's item: on DynamoDB Local a person of 50,000 faces (its gzipped id list alone was ~600 KB,
// past the 400 KB item limit) is written, read back, paged through the API by cursor, joined by a
// new face through incremental assignment, and kept by a later run that rewrites only what changed.
// The assignment's reads, measured in the capacity units DynamoDB reports, are the same for that
// person as for a person of 100 faces.
const BIG = 50_000;
const FACES_PER_PHOTO = 100;
const DIM = 512;

const calibration = calibrationFor(readEngineConfig({}).embedder)!;
const modelVersion = calibration.modelVersion ?? '1';

/** Deterministic unit vectors: a person's centre, and members spread around it. */
function unit(seed: number): Float32Array {
  // mulberry32: a small seeded generator, so every run writes the same vectors.
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const v = Float32Array.from({ length: DIM }, next);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function near(centre: Float32Array, seed: number): Float32Array {
  const noise = unit(seed);
  const v = centre.map((x, i) => x + 0.3 * noise[i]!);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const faceOf = (userId: string, photoId: string, i: number): FaceRecord =>
  placeholderFace(userId, photoId, i, `faces/${userId}/${photoId}/sheet.png`);

interface Usage {
  rru: number;
  wru: number;
  requests: number;
}

describe('per-face person membership on DynamoDB Local', () => {
  let aws: LocalAws;
  const usage: Usage = { rru: 0, wru: 0, requests: 0 };
  const measure = async <T>(run: () => Promise<T>): Promise<{ out: T } & Usage> => {
    const before = { ...usage };
    const out = await run();
    return {
      out,
      rru: usage.rru - before.rru,
      wru: usage.wru - before.wru,
      requests: usage.requests - before.requests,
    };
  };
  let now = 1_000;
  const clock = { now: () => ++now };
  const fresh = (): DynamoFaceStore => new DynamoFaceStore(aws.dynamo, aws.table, clock);
  const bigIds: string[] = [];

  /** A user with one person of `size` faces (photos of 100 faces), 16 exemplars near a centre,
   * and a new photo of one face near that centre, not yet assigned. */
  async function seedUser(userId: string, size: number): Promise<PersonRecord> {
    const store = fresh();
    const ids: string[] = [];
    for (let p = 0; p * FACES_PER_PHOTO < size; p++) {
      const photoId = `ph${String(p).padStart(4, '0')}`;
      const faces = Array.from({ length: Math.min(FACES_PER_PHOTO, size - p * FACES_PER_PHOTO) }, (_, i) =>
        faceOf(userId, photoId, i),
      );
      await store.replaceFaces(userId, photoId, faces);
      ids.push(...faces.map((f) => f.faceId));
    }
    ids.sort();
    const person: PersonRecord = {
      userId,
      personId: 'pBig',
      faceIds: ids,
      coverFaceId: ids[0]!,
      cohesion: 0.8,
      updatedAt: 1,
    };
    await store.replacePeople(userId, [person]);
    const centre = unit(7);
    // Exemplars: 16 members of the first photo, with their vectors (as the run would choose them).
    const exemplars: VectorRecord[] = ids.slice(0, 16).map((faceId, i) => ({
      userId,
      faceId,
      photoId: faceId.split('#')[0]!,
      modelId: calibration.modelId,
      modelVersion,
      vector: near(centre, 100 + i),
    }));
    await store.putVectors(exemplars);
    await store.replaceExemplars(userId, calibration.modelId, [
      { personId: 'pBig', personVersion: 0, vectors: exemplars },
    ]);
    const newFace = faceOf(userId, 'zz-new', 0);
    await store.replaceFaces(userId, 'zz-new', [newFace]);
    await store.putVectors([
      {
        userId,
        faceId: newFace.faceId,
        photoId: 'zz-new',
        modelId: calibration.modelId,
        modelVersion,
        vector: near(centre, 999),
      },
    ]);
    return person;
  }

  beforeAll(async () => {
    aws = await startLocalAws({ name: 'membership' });
    aws.dynamo.middlewareStack.add(
      (next, ctx) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        usage.requests++;
        const consumed = [(out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity ?? []].flat() as {
          CapacityUnits?: number;
        }[];
        const units = consumed.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
        if (/^(Get|Query|Scan|BatchGet)/.test(String(ctx.commandName))) usage.rru += units;
        else usage.wru += units;
        return out;
      },
      { step: 'initialize', name: 'countCapacity' },
    );
    const big = await seedUser('big', BIG);
    bigIds.push(...big.faceIds);
    await seedUser('small', 100);
  }, 900_000);
  afterAll(async () => {
    await aws?.stop();
  });

  const partition = async (userId: string): Promise<Record<string, AttributeValue>[]> => {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const res = await aws.dynamo.send(
        new QueryCommand({
          TableName: aws.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: `USER#${userId}` } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  };

  it('writes and reads back a person of 50,000 faces; no person item grows with it', async () => {
    const store = fresh();
    const read = await store.getPerson('big', 'pBig');
    expect(read!.faceIds).toEqual(bigIds);
    expect(read!.faceIds).toHaveLength(BIG);
    const [head] = await store.getPersonHeads('big', ['pBig']);
    expect(head!.faceCount).toBe(BIG);
    expect((await store.personOfFace('big', bigIds[BIG - 1]!))?.personId).toBe('pBig');
    expect(await store.membershipsOf('big', [bigIds[123]!, 'zz-new#000'])).toEqual([
      { faceId: bigIds[123], personId: 'pBig', provisional: false },
    ]);
    const items = await partition('big');
    const personItems = items.filter((i) => /^(PERSON|PMEM|FMEM)#/.test(i.SK!.S!));
    // A head and two memberships per face.
    expect(personItems).toHaveLength(1 + 2 * BIG);
    const largest = Math.max(...personItems.map((i) => JSON.stringify(i).length));
    expect(largest).toBeLessThan(1_000);
  });

  it('pages through the person by cursor in the API, each page read by key', async () => {
    const route = createApiRouter({
      faces: fresh(),
      clock,
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => `/crops/${k}`,
    });
    const list = await route({ method: 'GET', path: '/people', userId: 'big', query: {} });
    expect(
      (JSON.parse(list.body) as { people: { personId: string; faceCount: number }[] }).people.map((p) => [
        p.personId,
        p.faceCount,
      ]),
    ).toEqual([['pBig', BIG]]);
    const walked: string[] = [];
    const pageReads: number[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: '1000', ...(cursor ? { cursor } : {}) };
      const { out, rru } = await measure(() =>
        route({ method: 'GET', path: '/people/pBig/faces', userId: 'big', query }),
      );
      expect(out.status).toBe(200);
      const body = JSON.parse(out.body) as { faces: { faceId: string }[]; nextCursor: string | null };
      walked.push(...body.faces.map((f) => f.faceId));
      pageReads.push(rru);
      cursor = body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(bigIds);
    expect(pageReads).toHaveLength(BIG / 1000);
    // Every page costs what the first does (its memberships and faces), wherever it starts.
    expect(Math.max(...pageReads)).toBeLessThanOrEqual(Math.min(...pageReads) * 1.1);
  });

  it("assignment's reads do not grow with the person; a join writes O(1) items and a run keeps it", async () => {
    const deps = (store: DynamoFaceStore) => ({ faces: store, clock, logger: silentLogger, calibration });
    const small = await measure(() => assignPhotoFaces('small', 'zz-new', deps(fresh())));
    const big = await measure(() => assignPhotoFaces('big', 'zz-new', deps(fresh())));
    expect(small.out.joined.get('zz-new#000')).toBe('pBig');
    expect(big.out.joined.get('zz-new#000')).toBe('pBig');
    expect(big.requests).toBe(small.requests);
    expect(big.rru).toBe(small.rru);
    expect(big.wru).toBe(small.wru);
    expect(big.wru).toBeLessThanOrEqual(6); // head + two membership items, transactional (2 units each)

    const store = fresh();
    const joined = (await store.getPerson('big', 'pBig'))!;
    expect(joined.faceIds).toHaveLength(BIG + 1);
    expect(joined.provisionalFaceIds).toEqual(['zz-new#000']);
    expect(joined.version).toBe(1);
    // Offered again (a redelivery): already in a person, nothing written.
    const again = await measure(() => assignPhotoFaces('big', 'zz-new', deps(fresh())));
    expect(again.out.joined.size).toBe(0);
    expect(again.wru).toBe(0);
    // A join of a face that is in a person already is refused by the store, whatever was read.
    await expect(
      store.commitPeopleChange('big', {
        joinPeople: [{ personId: 'pBig', expectedVersion: 1, faceIds: [bigIds[5]!], provisional: true, updatedAt: 2 }],
      }),
    ).rejects.toBeInstanceOf(EditConflictError);

    // The next clustering run keeps the face, no longer provisional: it rewrites one membership
    // (two items) and the head, not the person.
    const { provisionalFaceIds: _p, ...decided } = joined;
    const run = await measure(() => store.replacePeople('big', [{ ...decided, version: 2, updatedAt: 3 }]));
    expect(run.wru).toBeLessThanOrEqual(3);
    const kept = (await store.getPerson('big', 'pBig'))!;
    expect(kept.faceIds).toHaveLength(BIG + 1);
    expect(kept.provisionalFaceIds).toBeUndefined();
  });

  it('removing a photo drops its faces from the person; erasing a user leaves no membership', async () => {
    const store = fresh();
    await store.deletePhoto('big', 'ph0003');
    const [head] = await store.getPersonHeads('big', ['pBig']);
    expect(head!.faceCount).toBe(BIG + 1 - FACES_PER_PHOTO);
    expect(await store.membershipsOf('big', [`ph0003#000`, `ph0003#099`])).toEqual([]);
    expect((await store.getPerson('big', 'pBig'))!.faceIds.some((f) => f.startsWith('ph0003#'))).toBe(false);

    await store.eraseUser('small');
    expect(await partition('small')).toEqual([]);
  });

  it('reads a person item of the former format (gzipped id list) whole, and a run rewrites it as memberships', async () => {
    const ids = ['l1#000', 'l2#000', 'l3#000'];
    const blob = (list: string[]) => ({ B: new Uint8Array(gzipSync(Buffer.from(list.join('\n')))) });
    await aws.dynamo.send(
      new PutItemCommand({
        TableName: aws.table,
        Item: {
          PK: { S: 'USER#legacy' },
          SK: { S: 'PERSON#pOld' },
          type: { S: 'person' },
          userId: { S: 'legacy' },
          personId: { S: 'pOld' },
          name: { S: 'Ada' },
          faceIds: blob(ids),
          confirmedAll: { BOOL: true },
          provisionalFaceIds: blob(['l3#000']),
          faceCount: { N: '3' },
          coverFaceId: { S: 'l1#000' },
          cohesion: { N: '0.9' },
          updatedAt: { N: '5' },
          version: { N: '2' },
        },
      }),
    );
    const store = fresh();
    const old = (await store.getPerson('legacy', 'pOld'))!;
    expect(old).toMatchObject({ name: 'Ada', faceIds: ids, confirmedFaceIds: ids, provisionalFaceIds: ['l3#000'] });
    await store.replacePeople('legacy', await store.listPeople('legacy'));
    const items = await partition('legacy');
    expect(items.find((i) => i.SK!.S === 'PERSON#pOld')!.faceIds).toBeUndefined();
    expect(items.filter((i) => i.SK!.S!.startsWith('FMEM#'))).toHaveLength(3);
    expect(await store.getPerson('legacy', 'pOld')).toEqual(old);
    expect(await store.membershipsOf('legacy', ['l3#000'])).toEqual([
      { faceId: 'l3#000', personId: 'pOld', provisional: true },
    ]);
  });
});
