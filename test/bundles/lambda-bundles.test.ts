import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event, SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { ENV } from '#config/aws.ts';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { rateLimitTableInput, RATE_LIMIT_TABLE_ENV } from '../../functions/api/user-rate-limit.ts';
import { LARGE_USER_ENV } from '../../functions/cluster/large-users.ts';
import { IDEMPOTENCY_TABLE_ENV, idempotencyTableInput } from '../../functions/shared/idempotency-table.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';
import { deleteSucceeded, receiveBatch, sendBodies } from '../../scripts/emulators/event-source.ts';
import { startLocalAws, type LocalAws } from '../../scripts/emulators/local-aws.ts';
import { S3EventQueue } from '../../scripts/emulators/s3-events.ts';
import {
  folderBytes,
  invokeBundle,
  lambdaRoot,
  removeRoot,
  synthesise,
  type BuiltFunction,
  type Invocation,
} from './lambda-sandbox.ts';

// Every function of the stack, built as `cdk synth` builds it (local esbuild, no Docker), loaded
// the way Lambda loads it (only what its asset folder holds, plus the runtime's AWS SDK) and invoked
// on a real event against the emulators: S3 upload → detect → embed → cluster fan-out → cluster
// worker → API. The runtime is nodejs22.x; this machine runs Node 20, whose ES module resolution
// of bare and relative specifiers is the same.
const USER = '5e0c7a1d-2b3f-4c5d-8e9f-0a1b2c3d4e5f';
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
const MAC_ARM64 = { npm_config_os: 'darwin', npm_config_cpu: 'arm64' };

describeWithData('built Lambda bundles', () => {
  let aws: LocalAws;
  let functions: BuiltFunction[];
  const roots = new Map<string, { root: string; taskRoot: string }>();
  const timings: { fn: string; mb: number; importMs: number; firstInvokeMs: number }[] = [];

  beforeAll(async () => {
    // Synthesised as on a developer's Mac (npm's platform: darwin/arm64): the assets must still
    // carry Lambda's linux-x64 native binaries.
    functions = synthesise(mkdtempSync(join(tmpdir(), 'rankface-cdk-out-')), MAC_ARM64);
    for (const fn of functions) roots.set(fn.logicalId, lambdaRoot(fn));
    aws = await startLocalAws({ name: 'bundles' });
    // The stack's idempotency and per-user rate-limit tables, which the functions' environments name.
    await aws.dynamo.send(new CreateTableCommand(idempotencyTableInput(`${aws.table}-idempotency`)));
    await aws.dynamo.send(new CreateTableCommand(rateLimitTableInput(`${aws.table}-rate`)));
  }, 600_000);

  afterAll(async () => {
    for (const { root } of roots.values()) removeRoot(root);
    await aws?.stop();
    // Measurements for the record (never asserted): bundle size and a cold start on this machine.
    console.table(
      timings.map((t) => ({ ...t, importMs: Math.round(t.importMs), firstInvokeMs: Math.round(t.firstInvokeMs) })),
    );
  });

  const fnOf = (prefix: string): BuiltFunction => {
    const fn = functions.find((f) => f.logicalId.includes(prefix));
    if (!fn) throw new Error(`no function ${prefix} in the template`);
    return fn;
  };
  const resolveRef = (name: string): string => {
    const refs: Record<string, string> = {
      [ENV.bucket]: aws.bucket,
      [ENV.table]: aws.table,
      [ENV.embedQueueUrl]: aws.sqs.queues.embed.url,
      [ENV.clusterQueueUrl]: aws.sqs.queues.cluster.url,
      [IDEMPOTENCY_TABLE_ENV]: `${aws.table}-idempotency`,
      [RATE_LIMIT_TABLE_ENV]: `${aws.table}-rate`,
      // The Fargate route for large users (infra/large-users.ts): no ECS emulator runs here, and the
      // test's user is far below the face limit, so these only have to be present, never called.
      [LARGE_USER_ENV.cluster]: 'arn:aws:ecs:us-east-1:000000000000:cluster/none',
      [LARGE_USER_ENV.taskDefinition]: 'arn:aws:ecs:us-east-1:000000000000:task-definition/none:1',
      [LARGE_USER_ENV.container]: 'cluster',
      [LARGE_USER_ENV.subnets]: 'subnet-00000000',
      [LARGE_USER_ENV.securityGroup]: 'sg-00000000',
    };
    const v = refs[name];
    if (v === undefined) throw new Error(`the bundle test does not know what ${name} refers to: add it to resolveRef`);
    return v;
  };
  const invoke = async (prefix: string, events: unknown[]): Promise<Invocation> => {
    const fn = fnOf(prefix);
    const out = await invokeBundle(fn, roots.get(fn.logicalId)!.taskRoot, events, resolveRef);
    timings.push({
      fn: prefix,
      mb: Math.round(folderBytes(fn.assetDir) / 2 ** 20),
      importMs: out.importMs,
      firstInvokeMs: out.invokeMs[0] ?? 0,
    });
    return out;
  };

  it('keeps every bundle within 250 MB unzipped', () => {
    for (const prefix of ['ApiFn', 'ClusterFn', 'DetectFn', 'EmbedFn', 'SchedulerFn']) fnOf(prefix);
    for (const fn of functions)
      expect(folderBytes(fn.assetDir), fn.logicalId).toBeLessThanOrEqual(LAMBDA_UNZIPPED_LIMIT);
  });

  it('ships linux-x64 sharp binaries (and no others) when synthesised on macOS/arm64', () => {
    for (const prefix of ['DetectFn', 'EmbedFn']) {
      const img = join(fnOf(prefix).assetDir, 'node_modules', '@img');
      expect(
        readdirSync(img)
          .filter((d) => d.startsWith('sharp-'))
          .sort(),
        prefix,
      ).toEqual(['sharp-libvips-linux-x64', 'sharp-linux-x64']);
    }
  });

  it('loads each bundle and handles a real event: upload → detect → embed → cluster → API', async () => {
    const faces = new DynamoFaceStore(aws.dynamo, aws.table);
    const { client, queues } = aws.sqs;
    // The bucket notification: S3 event → detect queue (s3rver's event, normalised to S3's shape).
    const s3Events = new S3EventQueue();
    aws.onS3Event((e: S3Event) => s3Events.push(e));
    // Five group photos of the same people: one detect batch (the stack's batch size is 5).
    for (const f of ['bbt1.jpg', 'bbt2.jpg', 'bbt3.jpg', 'bbt4.jpg', 'bbt5.jpg']) {
      const Body = readFileSync(dataPath('group', 'bbt', f));
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: aws.bucket,
          Key: `uploads/${USER}/group ${f}`,
          Body,
          ContentType: 'image/jpeg',
        }),
      );
    }
    await sendBodies(
      client,
      queues.detect.url,
      s3Events.drain().map((r) => r.body),
    );

    const detectBatch = await receiveBatch(client, queues.detect, 5);
    expect(detectBatch).toHaveLength(5);
    const detected = (await invoke('DetectFn', [{ Records: detectBatch }])).results[0] as SQSBatchResponse;
    expect(detected.batchItemFailures).toEqual([]);
    await deleteSucceeded(client, queues.detect, detectBatch, detected);
    const photos = await faces.listPhotos(USER);
    expect(photos).toHaveLength(5);
    for (const photo of photos) expect(photo.faceCount).toBeGreaterThanOrEqual(3);

    // The stack's detect embeds in the same invocation (RANKFACE_EMBED_INLINE=1): the photos are
    // embedded and no embed job is queued. The embed bundle still loads and handles its event
    // (the two-stage job, sent here as detect sends it without inline embedding).
    for (const photo of photos) expect(photo.status).toBe('embedded');
    expect(await receiveBatch(client, queues.embed, 1)).toEqual([]);
    await sendBodies(
      client,
      queues.embed.url,
      photos.map((p) => JSON.stringify({ userId: USER, photoId: p.photoId })),
    );
    const embedBatch = await receiveBatch(client, queues.embed, 5);
    expect(embedBatch).toHaveLength(5);
    const embedded = (await invoke('EmbedFn', [{ Records: embedBatch }])).results[0] as SQSBatchResponse;
    expect(embedded.batchItemFailures).toEqual([]);
    for (const photo of await faces.listPhotos(USER)) expect(photo.status).toBe('embedded');

    const schedule = {
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      id: 'bundle-test',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {},
      version: '0',
    };
    const fanOut = (await invoke('SchedulerFn', [schedule])).results[0] as { enqueued: number };
    expect(fanOut.enqueued).toBe(1);
    const clusterBatch = await receiveBatch(client, queues.cluster, 5);
    const clustered = (await invoke('ClusterFn', [{ Records: clusterBatch }])).results[0] as SQSBatchResponse;
    expect(clustered.batchItemFailures).toEqual([]);
    expect((await faces.listPeople(USER)).length).toBeGreaterThanOrEqual(2);

    const get = {
      httpMethod: 'GET',
      resource: '/people',
      path: '/people',
      pathParameters: null,
      queryStringParameters: null,
      headers: {},
      multiValueHeaders: {},
      multiValueQueryStringParameters: null,
      body: null,
      isBase64Encoded: false,
      stageVariables: null,
      requestContext: { authorizer: { claims: { sub: USER } } },
    };
    const api = (await invoke('ApiFn', [get])).results[0] as { statusCode: number; body: string };
    expect(api.statusCode).toBe(200);
    expect((JSON.parse(api.body) as { people: unknown[] }).people.length).toBeGreaterThanOrEqual(2);
  });
});
