import { describe, expect, it } from 'vitest';
import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { LAMBDA_LIST_BODY_BYTES } from '#api/pagination.ts';
import { createApiRouter } from '#api/router.ts';
import { pathOf } from '#api/routes.ts';
import { seedBigLibrary } from '#test/helpers/big-library.ts';

/** Lambda answers at most 6 MB (6,291,456 bytes), status, headers and the body as an escaped string. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

// The Lambda API's list answers stay under Lambda's 6 MB response limit: a list that would pass the
// byte budget is cut there with `nextCursor`, and following the cursors yields the whole list once,
// in order. A person of 6,000 faces with crop URLs as long as S3's presigned ones (~1 KB) is ~7 MB.
describe('list answers under the Lambda byte budget', () => {
  const faces = 6_000;
  const presignedLike = (key: string): string =>
    `https://rankface-photos.s3.eu-west-1.amazonaws.com/${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${'A'.repeat(20)}%2F20261205%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=900&X-Amz-Security-Token=${'T'.repeat(760)}&X-Amz-Signature=${'0'.repeat(64)}&X-Amz-SignedHeaders=host`;

  it('cuts a list past the budget and the cursors cover it whole', async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedBigLibrary(store, 'alice', { bigPerson: faces, smallPeople: 0, unassigned: 0 });
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => presignedLike(k),
      maxListBodyBytes: LAMBDA_LIST_BODY_BYTES,
    });
    const served: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const out = await route({
        method: 'GET',
        path: pathOf('/people/{personId}/faces', { personId: 'big' }),
        userId: 'alice',
        query: cursor ? { cursor } : {},
      });
      expect(out.status).toBe(200);
      // The answer as the Lambda runtime sends it back to API Gateway.
      expect(
        Buffer.byteLength(JSON.stringify({ statusCode: out.status, headers: out.headers, body: out.body })),
      ).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
      const body = JSON.parse(out.body) as {
        faces: { faceId: string }[];
        nextCursor: string | null;
        person: { personId: string };
      };
      expect(body.person.personId).toBe('big');
      served.push(...body.faces.map((f) => f.faceId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBeGreaterThan(1);
    expect(served).toEqual((await store.getPerson('alice', 'big'))!.faceIds);
  });

  it('keeps a list under the budget whole, with no cursor', async () => {
    const store = new SqliteFaceStore(':memory:');
    await seedBigLibrary(store, 'alice', { bigPerson: 1_500, smallPeople: 0, unassigned: 0 });
    const route = createApiRouter({
      faces: store,
      clock: { now: () => 5 },
      logger: silentLogger,
      corsOrigin: '*',
      cropUrl: async (k) => presignedLike(k),
      maxListBodyBytes: LAMBDA_LIST_BODY_BYTES,
    });
    const out = await route({
      method: 'GET',
      path: pathOf('/people/{personId}/faces', { personId: 'big' }),
      userId: 'alice',
      query: {},
    });
    const body = JSON.parse(out.body) as { faces: unknown[]; nextCursor: string | null };
    expect(body.faces.length).toBe(1_500);
    expect(body.nextCursor).toBeNull();
  });
});
