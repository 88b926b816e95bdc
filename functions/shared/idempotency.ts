import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IDEMPOTENCY_EXPIRES_SECONDS } from './idempotency-table.ts';

/** Powertools idempotency over DynamoDB, for the queue consumers: SQS and S3 deliver at least once,
 * and a redelivered record must not run the models (or a clustering run) again. It sits on top of
 * the core's own checks (content hashes, the clustering flag's version), which keep the *result*
 * right; this layer saves the *work*, and covers the window the core cannot see (e.g. an S3 event
 * redelivered after detection but before embedding). */
export interface IdempotentRuns {
  /** Run `work` once per key: a key already completed returns its stored result without running
   * `work`; a key in progress elsewhere throws (that SQS record fails and comes back after the
   * visibility timeout); a run that throws leaves no record, so the retry runs in full. */
  once<R extends JSONValue>(key: string, work: () => Promise<R>): Promise<R>;
  /** Called at the start of each invocation with Lambda's context: an in-progress record expires
   * when the invocation that wrote it must have ended, so a crashed run never blocks its retry. */
  begin(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): void;
}

/** Every record runs (no table configured: tests that do not ask for the layer, `npm run local`). */
export const noIdempotency: IdempotentRuns = { once: (_key, work) => work(), begin() {} };

export interface IdempotencyOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Namespace of the keys (e.g. `detect`, `embed:<model>`): stages never share a key. */
  readonly scope: string;
  /** How long an in-progress record blocks others when no Lambda context is given (outside Lambda):
   * the longest a run can take. */
  readonly inProgressMs: number;
}

export function dynamoIdempotency(options: IdempotencyOptions): IdempotentRuns {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.table, awsSdkV3Client: options.client });
  const config = new IdempotencyConfig({ expiresAfterSeconds: IDEMPOTENCY_EXPIRES_SECONDS });
  // The key string is the payload Powertools hashes (argument 0); `work` is only carried through.
  const run = makeIdempotent(async (_key: string, work: () => Promise<JSONValue>): Promise<JSONValue> => work(), {
    persistenceStore,
    config,
    keyPrefix: options.scope,
    dataIndexArgument: 0,
  });
  return {
    once: async <R extends JSONValue>(key: string, work: () => Promise<R>): Promise<R> => (await run(key, work)) as R,
    begin(context) {
      const started = Date.now();
      const remaining = context ?? { getRemainingTimeInMillis: () => options.inProgressMs - (Date.now() - started) };
      // Powertools reads only getRemainingTimeInMillis from the context.
      config.registerLambdaContext(remaining as Context);
    },
  };
}
