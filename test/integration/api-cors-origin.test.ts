import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { createApiHandler } from '../../functions/api/handler.ts';
import { ALICE } from './setup/users.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// The API answers browsers with the stack's CORS setting (RANKFACE_ALLOWED_ORIGINS): the caller's
// origin when the stack lists it, nothing for any other origin, `*` only when the stack says `*`.
const SITE = 'https://d111111abcdef8.cloudfront.net';
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws({ name: 'cors' });
});
afterAll(async () => {
  await aws?.stop();
});

const getPeople = async (allowedOrigins: readonly string[], origin: string): Promise<Record<string, unknown>> => {
  const handler = createApiHandler({
    faces: new DynamoFaceStore(aws.dynamo, aws.table),
    blobs: new S3BlobStore(aws.s3, aws.bucket),
    clock: { now: () => 1 },
    logger: silentLogger,
    presignSeconds: 60,
    allowedOrigins,
  });
  const event = {
    httpMethod: 'GET',
    resource: '/people',
    path: '/people',
    pathParameters: null,
    queryStringParameters: null,
    headers: { origin },
    body: null,
    isBase64Encoded: false,
    requestContext: { authorizer: { claims: { sub: ALICE } } },
  } as unknown as APIGatewayProxyEvent;
  const res = await handler(event);
  expect(res.statusCode).toBe(200);
  return res.headers ?? {};
};

describe('API CORS origin', () => {
  it("allows the site's origin and no other when the stack names the site", async () => {
    expect((await getPeople([SITE], SITE))['access-control-allow-origin']).toBe(SITE);
    expect((await getPeople([SITE], 'https://evil.example'))['access-control-allow-origin']).toBeUndefined();
  });

  it('answers * only when the stack allows any origin', async () => {
    expect((await getPeople(['*'], 'https://anywhere.example'))['access-control-allow-origin']).toBe('*');
  });
});
