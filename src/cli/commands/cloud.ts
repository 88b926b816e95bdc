import { createDynamoClient, createSqsClient } from '#adapters/aws/clients.ts';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { SqsWorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { readAwsConfig, required } from '#config/aws.ts';
import { embedderKeyOf } from '#config/embedder.ts';
import { readEngineConfig } from '#config/engine.ts';
import { silentLogger } from '#core/ports/logger.ts';
import { enqueueEmbedderMigration, type EnqueueOutcome } from '#core/pipeline/migrate-embedder.ts';

/** `rankface cloud migrate --user <id> [--json]`: the cloud's model upgrade for one user (issue 12,
 * docs/people.md). After the stack's embedder changed (RANKFACE_EMBEDDER, same value as the
 * stack's), it sends one embed job per photo whose faces lack a vector of that embedder to the
 * stack's embed queue; the embed Lambda re-embeds them from their stored crops and flags the user,
 * and the next scheduled clustering run re-clusters with every edit replayed. Idempotent: when the
 * user is migrated it sends nothing. Settings from the environment, as the Lambdas read them:
 * RANKFACE_TABLE, RANKFACE_EMBED_QUEUE_URL (stack outputs TableName, EmbedQueueUrl), AWS
 * credentials and region. */

function usage(): string {
  return [
    'usage: rankface cloud migrate --user <user-id> [--json]',
    '',
    "  Queues the re-embedding of a user's faces with the embedder RANKFACE_EMBEDDER names (set it to",
    "  the stack's), from their stored crops. Needs RANKFACE_TABLE and RANKFACE_EMBED_QUEUE_URL (stack",
    '  outputs) and AWS credentials. Running it again once the user is migrated sends nothing.',
  ].join('\n');
}

/** One user's migration, from the given environment. */
export async function migrateCloudUser(
  userId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EnqueueOutcome & { modelId: string; modelVersion: string }> {
  const config = readAwsConfig(env);
  const active = embedderKeyOf(readEngineConfig(env).embedder);
  const faces = new DynamoFaceStore(createDynamoClient(config), required(config, 'table'));
  const embedQueue = new SqsWorkQueue(createSqsClient(config), required(config, 'embedQueueUrl'));
  const outcome = await enqueueEmbedderMigration(userId, active, { faces, embedQueue, logger: silentLogger });
  return { ...outcome, ...active };
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const at = rest.indexOf('--user');
  const userId = at >= 0 ? rest[at + 1] : undefined;
  if (sub === '--help' || sub === '-h' || rest.includes('--help'))
    return (void process.stdout.write(`${usage()}\n`), 0);
  if (sub !== 'migrate' || userId === undefined || userId.startsWith('-')) {
    process.stderr.write(
      `rankface cloud: ${sub === 'migrate' ? '--user <user-id> is required' : `unknown subcommand '${sub ?? ''}'`}\n${usage()}\n`,
    );
    return 2;
  }
  const r = await migrateCloudUser(userId);
  const summary = {
    user: userId,
    embedder: r.modelId,
    model_version: r.modelVersion,
    faces: r.faces,
    faces_current: r.current,
    photos_pending: r.photoIds.length,
    enqueued: r.enqueued,
  };
  if (rest.includes('--json')) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else
    process.stderr.write(
      `rankface cloud migrate: user ${userId}: ${r.current}/${r.faces} faces have ${r.modelId} vectors; ${r.enqueued} photos queued for re-embedding${r.enqueued === 0 ? ' (migrated: nothing to do)' : ''}\n`,
    );
  return 0;
}
