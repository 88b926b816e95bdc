import { SqliteFaceStore } from '#adapters/local/sqlite-face-store.ts';
import { peopleEditContract } from '#test/contract/people-edits.contract.ts';

// The edit rules against the local store (SQLite in memory); the same suite runs on DynamoDB Local
// in test/integration/people-edits-dynamo.test.ts.
peopleEditContract('SQLite', async () => new SqliteFaceStore(':memory:'));
