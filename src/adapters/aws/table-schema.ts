/** The one DynamoDB table's key schema, shared by the CDK stack (infra/) and the integration test
 * setup, so the table the tests run against cannot drift from the deployed one. Plain data: no
 * CDK or SDK types here. See docs/data-model.md for every item type and access pattern. */

export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
} as const;

/** Sparse index of users whose faces changed since their last clustering. Only the per-user META
 * item carries these attributes, and only while the user is pending, so the scheduled cluster run
 * queries this index (a handful of items) instead of scanning the table. */
export const PENDING_INDEX = {
  indexName: 'pending',
  partitionKey: 'pendingPk',
  sortKey: 'pendingSk',
} as const;

/** The pending index partition is sharded so that a burst of uploads by many users does not
 * concentrate writes on one index partition. The scheduled run queries every shard. */
export const PENDING_SHARDS = 4;

export interface AttributeDef {
  readonly name: string;
  readonly type: 'S';
}

export const TABLE_ATTRIBUTES: readonly AttributeDef[] = [
  { name: TABLE_KEYS.partitionKey, type: 'S' },
  { name: TABLE_KEYS.sortKey, type: 'S' },
  { name: PENDING_INDEX.partitionKey, type: 'S' },
  { name: PENDING_INDEX.sortKey, type: 'S' },
];

/** CreateTable input in the SDK's shape (on-demand), for test setups and `npm run local`. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: TABLE_ATTRIBUTES.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: PENDING_INDEX.indexName,
        KeySchema: [
          { AttributeName: PENDING_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: PENDING_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        // Keys only: the cluster fan-out needs the user id (the index sort key) and nothing else.
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
    ],
  };
}
