import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The idempotency table's name, set by the stack on every function that processes queue records.
 * Without it (tests that do not ask for it, `npm run local`, benches) records run without the
 * layer and only the core's own content-hash checks dedupe. */
export const IDEMPOTENCY_TABLE_ENV = 'RANKFACE_IDEMPOTENCY_TABLE';

/** The attributes Powertools' DynamoDB persistence layer writes (its defaults): `id` is the key,
 * `expiration` (epoch seconds) is the table's TTL attribute. */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;

/** Idempotency records live this long: past every SQS retry and a DLQ redrive within a day, after
 * which DynamoDB's TTL deletes them (free). */
export const IDEMPOTENCY_EXPIRES_SECONDS = 24 * 60 * 60;

/** The table as the stack defines it, for the emulators (TTL is set apart, and emulators need not
 * enforce it: Powertools checks `expiration` itself). */
export const idempotencyTableInput = (name: string): CreateTableCommandInput => ({
  TableName: name,
  AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
});
