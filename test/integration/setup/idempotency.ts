import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import type { PhotoAnalyzer } from '#core/pipeline/deps.ts';
import type { WorkQueue } from '#core/ports/work-queue.ts';
import { createDetectHandler } from '../../../functions/detect/handler.ts';
import { createEmbedHandler } from '../../../functions/embed/handler.ts';
import { dynamoIdempotency, type IdempotentRuns } from '../../../functions/shared/idempotency.ts';
import { idempotencyTableInput } from '../../../functions/shared/idempotency-table.ts';
import type { Pipeline } from './pipeline.ts';

/** The idempotency table the stack defines, created on the pipeline's DynamoDB emulator, and the
 * layer of one stage on it (the test's process is the "Lambda": in-progress records last a minute). */
export async function idempotencyOn(p: Pipeline): Promise<(scope: string) => IdempotentRuns> {
  const table = `${p.aws.table}-idempotency`;
  await p.aws.dynamo.send(new CreateTableCommand(idempotencyTableInput(table)));
  return (scope) => dynamoIdempotency({ client: p.aws.dynamo, table, scope, inProgressMs: 60_000 });
}

/** The pipeline's real analyzer, counting its model runs. */
export function countingAnalyzer(
  real: PhotoAnalyzer,
): PhotoAnalyzer & { readonly calls: { analyze: number; embedCrops: number } } {
  const calls = { analyze: 0, embedCrops: 0 };
  return {
    embedderId: real.embedderId,
    calls,
    analyze: async (bytes, options) => {
      calls.analyze++;
      return real.analyze(bytes, options);
    },
    embedCrops: async (crops) => {
      calls.embedCrops++;
      return real.embedCrops(crops);
    },
  };
}

/** The embed queue on the SQS emulator; `failNext` makes the next send throw (as SQS throttling
 * does): an infrastructure failure after the photo was detected, which fails the record. */
export function flakyEmbedQueue(p: Pipeline): WorkQueue & { failNext(): void } {
  const real = new SqsWorkQueue(p.aws.sqs.client, p.aws.sqs.queues.embed.url);
  let fail = false;
  return {
    failNext: () => void (fail = true),
    send: async (messages) => {
      if (fail) {
        fail = false;
        throw Object.assign(new Error('Rate exceeded (injected)'), { name: 'ThrottlingException' });
      }
      return real.send(messages);
    },
  };
}

/** Detect and embed as each Lambda builds them, with the idempotency layer and a counting analyzer. */
export function idempotentStages(
  p: Pipeline,
  layer: (scope: string) => IdempotentRuns,
  analyzer: PhotoAnalyzer,
  embedQueue: WorkQueue = flakyEmbedQueue(p),
) {
  return {
    detect: createDetectHandler({ ...p.runtime, analyzer, embedQueue, idempotency: layer('detect') }),
    embed: createEmbedHandler({ ...p.runtime, analyzer, idempotency: layer(`embed:${analyzer.embedderId}`) }),
  };
}
