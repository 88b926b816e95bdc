import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { Clock } from '#core/ports/clock.ts';

/** Per-user API throttling. API Gateway's usage plans meter per API key, not per Cognito user, and
 * its stage and method throttles are shared by every caller: one user could use them up for all.
 * So the API function counts each caller's requests in a fixed window, one DynamoDB item per user
 * and window (`<sub>#<window index>`), incremented by a conditional update that refuses to pass the
 * limit: atomic across every concurrent instance of the function, one write per request, no read. */

/** The table's name (set by the stack on the API function); absent: no per-user limit. */
export const RATE_LIMIT_TABLE_ENV = 'RANKFACE_RATE_LIMIT_TABLE';
/** `<requests>/<window seconds>`, e.g. `600/60` (the stack's `apiUserRequestsPerMinute`). */
export const USER_RATE_LIMIT_ENV = 'RANKFACE_USER_RATE_LIMIT';
export const RATE_LIMIT_TABLE = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;

export interface UserRateLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

/** Default: 600 requests a minute per user (10/s on average; the web app's heaviest screen, a
 * person's faces, is a few list pages and presigned image URLs that do not touch the API). */
export const DEFAULT_USER_RATE_LIMIT: UserRateLimit = { requests: 600, windowSeconds: 60 };

export function parseUserRateLimit(value: string | undefined): UserRateLimit {
  if (!value) return DEFAULT_USER_RATE_LIMIT;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [requests, windowSeconds] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (requests < 1 || windowSeconds < 1)
    throw new Error(`${USER_RATE_LIMIT_ENV}=${value}: expected <requests>/<window seconds>, e.g. 600/60`);
  return { requests, windowSeconds };
}

export interface UserRateLimiter {
  /** Count one request of `userId`: 0 when it may proceed, else the seconds until its window ends. */
  take(userId: string): Promise<number>;
}

export interface DynamoRateLimiterOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly limit: UserRateLimit;
  readonly clock: Clock;
}

export function dynamoUserRateLimiter({ client, table, limit, clock }: DynamoRateLimiterOptions): UserRateLimiter {
  const windowMs = limit.windowSeconds * 1000;
  return {
    async take(userId) {
      const now = clock.now();
      const window = Math.floor(now / windowMs);
      const windowEnd = (window + 1) * windowMs;
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { [RATE_LIMIT_TABLE.partitionKey]: { S: `${userId}#${window}` } },
            UpdateExpression: 'ADD #requests :one SET #expiration = if_not_exists(#expiration, :expiration)',
            ConditionExpression: 'attribute_not_exists(#requests) OR #requests < :limit',
            ExpressionAttributeNames: { '#requests': 'requests', '#expiration': RATE_LIMIT_TABLE.ttlAttribute },
            ExpressionAttributeValues: {
              ':one': { N: '1' },
              ':limit': { N: String(limit.requests) },
              // TTL deletes the window's item a minute after it ends (free).
              ':expiration': { N: String(Math.ceil(windowEnd / 1000) + 60) },
            },
          }),
        );
        return 0;
      } catch (err) {
        const refused =
          err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException';
        if (!refused) throw err;
        return Math.max(1, Math.ceil((windowEnd - now) / 1000));
      }
    },
  };
}

/** The table as the stack defines it, for the emulators. */
export const rateLimitTableInput = (name: string): CreateTableCommandInput => ({
  TableName: name,
  AttributeDefinitions: [{ AttributeName: RATE_LIMIT_TABLE.partitionKey, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: RATE_LIMIT_TABLE.partitionKey, KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
});
