import { createSocket, type Socket } from 'node:dgram';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsBatchHandler } from '../../../functions/shared/powertools.ts';
import { lambdaRuntime, sqsQueue } from '../../../functions/shared/runtime.ts';
import { noTracing } from '../../../functions/shared/tracing.ts';
import { ECSClient } from '@aws-sdk/client-ecs';
import { fargateStarter } from '../../../functions/cluster/large-users.ts';
import { EVENT_BUS_ENV, peopleChangedFromEnv } from '../../../functions/cluster/people-events.ts';
import type { ClusterUserOutcome } from '#core/pipeline/cluster-user.ts';
import { silentLogger } from '#core/ports/logger.ts';

// Powertools' tracer as the functions use it, observed where X-Ray gets it: the UDP daemon the
// X-Ray SDK streams subsegments to (a socket of this test). In Lambda, each SQS record is a
// subsegment annotated with its user, the AWS SDK calls made for it are subsegments under it
// (failures recorded as faults), and the queue client is captured too. Outside Lambda the runtime
// has no tracer at all. AWS endpoints are closed ports: the calls fail fast, and are traced.
type Doc = {
  name: string;
  id: string;
  parent_id?: string;
  annotations?: Record<string, unknown>;
  fault?: boolean;
  error?: boolean;
  aws?: { operation?: string };
};

const record = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: messageId, attributes: {}, messageAttributes: {} }) as unknown as SQSRecord;

describe('X-Ray tracing of a function', () => {
  let daemon: Socket;
  const docs: Doc[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (m) => docs.push(JSON.parse(m.toString().split('\n')[1]!) as Doc));
    await new Promise<void>((r) => daemon.bind(0, '127.0.0.1', () => r()));
    Object.assign(process.env, {
      RANKFACE_BUCKET: 'photos',
      RANKFACE_TABLE: 'faces',
      RANKFACE_CLUSTER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/cluster',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  });
  afterAll(() => {
    daemon.close();
    process.env = saved;
  });

  it('has no tracer outside Lambda', async () => {
    const runtime = await lambdaRuntime('detect');
    expect(runtime.tracing).toBe(noTracing);
  });

  it('in Lambda, sends a subsegment per record, annotated with its user, with its SDK calls under it', async () => {
    Object.assign(process.env, {
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'DetectFn',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      POWERTOOLS_SERVICE_NAME: 'rankface-detect',
      POWERTOOLS_TRACE_ENABLED: 'true',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    });
    const runtime = await lambdaRuntime('detect');
    const tracing = runtime.tracing!;
    expect(tracing).not.toBe(noTracing);
    const queue = sqsQueue(runtime.config, 'clusterQueueUrl', tracing);
    const handler = sqsBatchHandler(
      async (m) => {
        tracing.annotate('userId', m.body);
        await runtime.faces.getPhoto(m.body, 'p1'); // DynamoDB: connection refused
      },
      { logger: silentLogger, tracing },
    );
    const out = await handler({ Records: [record('m1', 'alice')] });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    await tracing.span('fan-out', () => queue.send([{ userId: 'bob' }]).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 300));

    const recordDoc = docs.find((d) => d.name === '## record');
    expect(recordDoc?.annotations).toMatchObject({ userId: 'alice', Service: 'rankface-detect', ColdStart: true });
    expect(recordDoc?.fault || recordDoc?.error).toBe(true);
    const getItem = docs.find((d) => d.name === 'DynamoDB' && d.aws?.operation === 'GetItem');
    expect(getItem?.parent_id).toBe(recordDoc?.id);
    expect(getItem?.fault).toBe(true);
    const fanOut = docs.find((d) => d.name === '## fan-out');
    expect(docs.find((d) => d.name === 'SQS')?.parent_id).toBe(fanOut?.id);
  });

  it("in Lambda, the cluster function's EventBridge and ECS calls are traced too", async () => {
    const runtime = await lambdaRuntime('cluster');
    const tracing = runtime.tracing!;
    expect(tracing).not.toBe(noTracing);
    const publish = peopleChangedFromEnv('us-east-1', silentLogger, { [EVENT_BUS_ENV]: 'people' }, (c) =>
      tracing.capture(c),
    )!;
    const outcome = { people: [], unassigned: [], gated: [], faces: 0, churn: {} } as unknown as ClusterUserOutcome;
    await tracing.span('publish', () => publish('alice', outcome)); // logged, never thrown
    const start = fargateStarter(
      { faceLimit: 1, cluster: 'c', taskDefinition: 't', container: 'w', subnets: ['s'], securityGroup: 'g' },
      tracing.capture(new ECSClient({ region: 'us-east-1' })),
    );
    await tracing.span('large-user', () => start('alice', 1).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 300));

    const publishDoc = docs.find((d) => d.name === '## publish');
    expect(docs.find((d) => d.aws?.operation === 'PutEvents')?.parent_id).toBe(publishDoc?.id);
    const largeUser = docs.find((d) => d.name === '## large-user');
    expect(docs.find((d) => d.aws?.operation === 'RunTask')?.parent_id).toBe(largeUser?.id);
  });
});
