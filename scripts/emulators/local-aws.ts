import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { createTableInput } from '#adapters/aws/table-schema.ts';
import { ENV } from '#config/aws.ts';
import type { Stage } from '../../infra/queue-settings.ts';
import { startLocalSqs, type LocalSqs } from './sqs.ts';

/** A local AWS for one test file or `npm run local`: S3 (s3rver, in-process) and DynamoDB (DynamoDB Local on Java,
 * dynalite when Java or the jar is missing), or LocalStack when AWS_ENDPOINT_URL is set. The
 * bucket and table are created from the same definitions the stack uses. The handlers find
 * everything through the environment, exactly as in Lambda. */
export interface LocalAws {
  readonly kind: 'emulators' | 'endpoint';
  readonly dynamoKind: 'dynamodb-local' | 'dynalite' | 'endpoint';
  /** Why that DynamoDB emulator runs (e.g. "no working Java on the PATH"). */
  readonly dynamoReason: string;
  readonly bucket: string;
  readonly table: string;
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  /** The stage queues (SQS on fauxqs, or the endpoint's), with the stack's settings. */
  readonly sqs: LocalSqs;
  /** S3 object events as s3rver emits them (not emitted against LocalStack: see `emitsS3Events`). */
  onS3Event(listener: (e: S3Event) => void): void;
  readonly emitsS3Events: boolean;
  stop(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DYNAMODB_LOCAL_DIR = join(repoRoot, '.cache', 'dynamodb-local');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const mkdirp = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  return dir;
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Java that actually runs (`java -version` exits 0): a `java` on the PATH that is a broken
 * alternative or a stub must not be taken for a JVM. */
export function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 20_000 });
  return r.error === undefined && r.status === 0;
}

/** Which DynamoDB emulator runs here, and why (said by `npm run local`). */
export function dynamoChoice(): { kind: 'dynamodb-local' | 'dynalite'; reason: string } {
  const jar = join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar');
  if (!existsSync(jar))
    return { kind: 'dynalite', reason: `no DynamoDB Local jar at ${jar} (npm run emulators:fetch)` };
  if (!javaAvailable()) return { kind: 'dynalite', reason: 'no working Java on the PATH (`java -version` failed)' };
  return { kind: 'dynamodb-local', reason: `Java and ${jar} found` };
}

async function startDynamo(
  dataDir: string | undefined,
): Promise<{ endpoint: string; kind: 'dynamodb-local' | 'dynalite'; reason: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const jar = join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar');
  const choice = dynamoChoice();
  const storage = dataDir ? ['-dbPath', mkdirp(join(dataDir, 'dynamodb'))] : ['-inMemory'];
  if (choice.kind === 'dynamodb-local') {
    const child: ChildProcess = spawn(
      'java',
      [
        `-Djava.library.path=${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib')}`,
        '-jar',
        jar,
        ...storage,
        '-sharedDb',
        '-port',
        String(port),
      ],
      { cwd: DYNAMODB_LOCAL_DIR, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Never leave the JVM behind: not when startup fails, not when this process exits.
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const probe = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr}`);
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch {
        if (i > 600) {
          child.kill('SIGKILL');
          throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${stderr}`);
        }
        await sleep(100);
      }
    }
    probe.destroy();
    const stop = async (): Promise<void> => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    return { endpoint, kind: 'dynamodb-local', reason: choice.reason, stop };
  }
  // Fallback: dynalite (no transactions, no TTL; the adapters use neither).
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: mkdirp(join(dataDir, 'dynalite')) } : {}),
  });
  await new Promise<void>((res, rej) => server.listen(port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  return {
    endpoint,
    kind: 'dynalite',
    reason: choice.reason,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

async function ensureTable(db: DynamoDBClient, table: string): Promise<void> {
  try {
    await db.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  await db.send(new CreateTableCommand(createTableInput(table)));
  for (let i = 0; i < 100; i++) {
    const d = await db.send(new DescribeTableCommand({ TableName: table }));
    if (
      d.Table?.TableStatus === 'ACTIVE' &&
      (d.Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')
    )
      return;
    await sleep(100);
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}

/** Start (or connect to) local AWS and point this process's environment at it. */
export interface LocalAwsOptions {
  readonly name?: string;
  /** Shorter visibility timeouts for tests that wait for a redelivery (see `startLocalSqs`). */
  readonly visibilityTimeoutSeconds?: Partial<Record<Stage, number>>;
  /** Keep S3 objects and DynamoDB items in this folder across restarts (fixed bucket and table
   * names); without it everything lives in a temporary folder or in memory and is gone on exit. */
  readonly dataDir?: string;
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const suffix = (
    options.dataDir ? (options.name ?? 'local') : `${options.name ?? 'it'}-${process.pid}-${Date.now().toString(36)}`
  )
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const bucket = `rankface-${suffix}`.slice(0, 63);
  const table = `rankface-${suffix}`;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env[ENV.bucket] = bucket;
  process.env[ENV.table] = table;

  const listeners: ((e: S3Event) => void)[] = [];
  let stopS3 = async (): Promise<void> => {};
  let stopDynamo = async (): Promise<void> => {};
  let dynamoKind: LocalAws['dynamoKind'] = 'endpoint';
  let dynamoReason = 'AWS_ENDPOINT_URL is set';
  const endpointGiven = Boolean(process.env.AWS_ENDPOINT_URL);

  if (!endpointGiven) {
    // s3rver accepts only its own fixed key pair; DynamoDB Local accepts any.
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    delete process.env.AWS_SESSION_TOKEN;
    const dir = options.dataDir ? mkdirp(join(options.dataDir, 's3')) : mkdtempSync(join(tmpdir(), 'rankface-s3rver-'));
    const s3rver = new S3rver({
      address: '127.0.0.1',
      port: await freePort(),
      silent: true,
      directory: dir,
      allowMismatchedSignatures: true,
    });
    const addr = await s3rver.run();
    s3rver.on('event', (e: S3Event) => listeners.forEach((l) => l(e)));
    stopS3 = async () => {
      await s3rver.close();
      if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
    };
    const dynamo = await startDynamo(options.dataDir);
    dynamoReason = dynamo.reason;
    stopDynamo = dynamo.stop;
    dynamoKind = dynamo.kind;
    process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${addr.port}`;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  }

  if (endpointGiven) {
    // LocalStack accepts any key pair; keep the caller's if set.
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  }
  const s3 = new S3Client({ region: process.env.AWS_REGION, forcePathStyle: true });
  const db = new DynamoDBClient({ region: process.env.AWS_REGION });
  await ensureBucket(s3, bucket);
  await ensureTable(db, table);
  const sqs = await startLocalSqs({
    prefix: `rankface-${suffix}`.slice(0, 60),
    ...(options.visibilityTimeoutSeconds ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds } : {}),
  });
  process.env[ENV.embedQueueUrl] = sqs.queues.embed.url;
  process.env[ENV.clusterQueueUrl] = sqs.queues.cluster.url;

  return {
    kind: endpointGiven ? 'endpoint' : 'emulators',
    dynamoKind,
    dynamoReason,
    bucket,
    table,
    s3,
    dynamo: db,
    sqs,
    onS3Event: (l) => listeners.push(l),
    emitsS3Events: !endpointGiven,
    async stop() {
      s3.destroy();
      db.destroy();
      await sqs.stop();
      await stopS3();
      await stopDynamo();
    },
  };
}
