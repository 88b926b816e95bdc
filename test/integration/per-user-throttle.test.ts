import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.ts';
import { dynamoUserRateLimiter, rateLimitTableInput } from '../../functions/api/user-rate-limit.ts';
import { startPipeline, type Pipeline } from './setup/pipeline.ts';
import { ALICE, BOB } from './setup/users.ts';

// One user cannot use up the API for the others: the API function counts each Cognito caller's
// requests per window on the DynamoDB emulator (conditional update), so Alice past her limit gets
// 429 with Retry-After and the API's error body while Bob, in the same window, still gets 200;
// Alice is served again once her window has passed.
const LIMIT = { requests: 5, windowSeconds: 60 };

const get = (userId: string, resource: string): APIGatewayProxyEvent =>
  ({
    httpMethod: 'GET',
    resource,
    path: resource,
    pathParameters: null,
    queryStringParameters: null,
    headers: {},
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: `${userId}-${resource}`, authorizer: { claims: { sub: userId } } },
  }) as unknown as APIGatewayProxyEvent;

describe('per-user API throttling', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline('throttle', { s3Notifications: false });
  });
  afterAll(async () => p?.stop());

  it('answers 429 to the user over the limit and 200 to another user meanwhile', async () => {
    const table = `${p.aws.table}-rate`;
    await p.aws.dynamo.send(new CreateTableCommand(rateLimitTableInput(table)));
    // A fixed clock 15 s into a window: the window cannot roll over mid-test on a slow machine.
    let now = Math.floor(Date.now() / 60_000) * 60_000 + 15_000;
    const clock = { now: () => now };
    const api = createApiHandler({
      ...p.runtime,
      presignSeconds: 60,
      userRateLimiter: dynamoUserRateLimiter({ client: p.aws.dynamo, table, limit: LIMIT, clock }),
    });

    for (let i = 0; i < LIMIT.requests; i++) expect((await api(get(ALICE, '/people'))).statusCode).toBe(200);
    const refused = await api(get(ALICE, '/photos'));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['retry-after']).toBe('45');
    expect(JSON.parse(refused.body)).toEqual({ error: 'too many requests from this user', retryAfterSeconds: 45 });

    const bob = await api(get(BOB, '/people'));
    expect(bob.statusCode).toBe(200);
    expect(JSON.parse(bob.body)).toHaveProperty('people');

    now += 45_000; // the next window
    expect((await api(get(ALICE, '/people'))).statusCode).toBe(200);
  });
});
