import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { seedBigLibrary } from '#test/helpers/big-library.ts';
import { createApiHandler } from '../../functions/api/handler.ts';
import { ALICE } from './setup/users.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// The Lambda API on the emulators: a person's faces (with real presigned crop URLs) and the photos
// come whole without `limit`; with a byte budget smaller than the list the answer is cut under it
// and the cursors walk the whole list once, in order.
let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ name: 'list-budget' });
});
afterAll(async () => {
  await aws?.stop();
});

const getter = (maxListBodyBytes?: number) => {
  const handler = createApiHandler({
    faces: new DynamoFaceStore(aws.dynamo, aws.table),
    blobs: new S3BlobStore(aws.s3, aws.bucket),
    clock: { now: () => 1 },
    logger: silentLogger,
    presignSeconds: 60,
    ...(maxListBodyBytes === undefined ? {} : { maxListBodyBytes }),
  });
  return async (
    resource: string,
    path: string,
    pathParameters: Record<string, string> | null,
    query: Record<string, string> | null,
  ) => {
    const event = {
      httpMethod: 'GET',
      resource,
      path,
      pathParameters,
      queryStringParameters: query,
      headers: {},
      body: null,
      isBase64Encoded: false,
      requestContext: { authorizer: { claims: { sub: ALICE } } },
    } as unknown as APIGatewayProxyEvent;
    const res = await handler(event);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    return {
      bytes: Buffer.byteLength(JSON.stringify(JSON.stringify(JSON.parse(res.body)))),
      body: JSON.parse(res.body) as { faces: { faceId: string }[]; nextCursor: string | null },
    };
  };
};

describe('API list answers on the emulators', () => {
  it('whole without limit; cut under a byte budget and walked whole by cursor', async () => {
    const photoIds = await seedBigLibrary(new DynamoFaceStore(aws.dynamo, aws.table), ALICE, {
      bigPerson: 60,
      smallPeople: 0,
      unassigned: 0,
    });
    const faceIds = photoIds.map((p) => `${p}#000`);
    const whole = await getter()('/people/{personId}/faces', '/people/big/faces', { personId: 'big' }, null);
    expect(whole.body.faces.map((f) => f.faceId).sort()).toEqual(faceIds);
    expect(whole.body.nextCursor).toBeNull();

    const budget = Math.floor(whole.bytes / 3);
    const get = getter(budget);
    const served: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(
        '/people/{personId}/faces',
        '/people/big/faces',
        { personId: 'big' },
        cursor ? { cursor } : null,
      );
      expect(page.bytes).toBeLessThanOrEqual(budget);
      served.push(...page.body.faces.map((f) => f.faceId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(served).toEqual(whole.body.faces.map((f) => f.faceId));
  });
});
