import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { createTableInput } from '#adapters/aws/table-schema.ts';
import { peopleEditContract } from '#test/contract/people-edits.contract.ts';
import { startLocalAws, type LocalAws } from './setup/emulators.ts';

// The same people-edit suite as the SQLite unit test, on DynamoDB Local: conditional transactions,
// retries under parallel edits, unknown ids. Each case gets its own table.
let aws: LocalAws;
let tables = 0;

beforeAll(async () => {
  aws = await startLocalAws({ name: 'edits' });
});
afterAll(async () => {
  await aws?.stop();
});

async function freshStore(db: DynamoDBClient): Promise<DynamoFaceStore> {
  const table = `${aws.table}-edits-${++tables}`;
  await db.send(new CreateTableCommand(createTableInput(table)));
  return new DynamoFaceStore(db, table);
}

peopleEditContract('DynamoDB Local', async () => freshStore(aws.dynamo));
