import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  emfMetrics,
  powertoolsLogger,
  readPowertoolsConfig,
  sqsBatchHandler,
} from '../../../functions/shared/powertools.ts';

// The SQS handlers' plumbing as it runs in Lambda: Powertools' batch processor reports only the
// records that threw, every log line of a record carries its message id as correlation id, and
// the stage metrics leave as one CloudWatch EMF document per invocation, errors by code.
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'DetectFn',
  POWERTOOLS_SERVICE_NAME: 'rankface-detect',
  POWERTOOLS_METRICS_NAMESPACE: 'Rankface',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

const record = (messageId: string, body: string): SQSRecord => ({
  messageId,
  body,
  receiptHandle: `rh-${messageId}`,
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:detect',
  awsRegion: 'us-east-1',
  messageAttributes: {},
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
});

describe('SQS handlers through Powertools', () => {
  let lines: Record<string, unknown>[];
  beforeEach(() => {
    lines = [];
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', LAMBDA_ENV.AWS_LAMBDA_FUNCTION_NAME);
    const capture = (chunk: unknown): boolean => {
      for (const l of String(chunk).split('\n'))
        if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('reads the typed settings the stack sets', () => {
    expect(readPowertoolsConfig('detect', LAMBDA_ENV)).toEqual({
      service: 'rankface-detect',
      namespace: 'Rankface',
      logLevel: 'INFO',
      inLambda: true,
    });
    expect(readPowertoolsConfig('embed', { POWERTOOLS_LOG_LEVEL: 'loud' })).toEqual({
      service: 'rankface-embed',
      namespace: 'Rankface',
      logLevel: 'INFO',
      inLambda: false,
    });
  });

  it('reports only the failed record, tags each line with its message id, emits EMF with errors by code', async () => {
    const config = readPowertoolsConfig('detect', LAMBDA_ENV);
    const logger = powertoolsLogger(config);
    const metrics = emfMetrics(config);
    const handler = sqsBatchHandler(
      async (r) => {
        logger.info('handling', { body: r.body });
        if (r.body === 'boom') throw Object.assign(new Error('throttled'), { name: 'SlowDown' });
        metrics.count('photos', 1);
      },
      { logger, metrics, correlate: logger.correlate },
    );
    const event: SQSEvent = { Records: [record('m1', 'a'), record('m2', 'boom'), record('m3', 'b')] };

    const out = await handler(event);

    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    const handling = lines.filter((l) => l.message === 'handling');
    expect(handling.map((l) => [l.correlationId, l.body])).toEqual([
      ['m1', 'a'],
      ['m2', 'boom'],
      ['m3', 'b'],
    ]);
    expect(handling.every((l) => l.service === 'rankface-detect')).toBe(true);
    const failed = lines.find((l) => l.message === 'message failed');
    expect(failed).toMatchObject({ level: 'ERROR', messageId: 'm2', code: 'SlowDown', correlationId: 'm2' });
    const emf = lines.filter((l) => '_aws' in l);
    const photos = emf.find((l) => 'photos' in l);
    expect(photos).toMatchObject({ photos: [1, 1], service: 'rankface-detect' });
    expect((photos!._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]!.Namespace).toBe(
      'Rankface',
    );
    expect(emf.find((l) => 'errors' in l)).toMatchObject({ errors: 1, code: 'SlowDown' });
  });
});
