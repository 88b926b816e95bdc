import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '#core/ports/logger.ts';
import type { IdempotentRuns } from './idempotency.ts';
import { noTracing, type StageTracing } from './tracing.ts';

/** Powertools' settings, read once from the environment the stack sets (infra/bundling.ts
 * `powertoolsEnvironment`). Outside Lambda (tests, `npm run local`, benches) the handlers keep the
 * plain JSON logger and record no metrics. */
export interface PowertoolsConfig {
  readonly service: string;
  readonly namespace: string;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** True inside a Lambda function (the runtime sets AWS_LAMBDA_FUNCTION_NAME). */
  readonly inLambda: boolean;
}

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export function readPowertoolsConfig(fn: string, env: NodeJS.ProcessEnv = process.env): PowertoolsConfig {
  const level = (env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
  return Object.freeze({
    service: env.POWERTOOLS_SERVICE_NAME || `rankface-${fn}`,
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || 'Rankface',
    logLevel: (LOG_LEVELS as readonly string[]).includes(level) ? (level as PowertoolsConfig['logLevel']) : 'INFO',
    inLambda: Boolean(env.AWS_LAMBDA_FUNCTION_NAME),
  });
}

/** What a stage counts (CloudWatch EMF in Lambda, nothing elsewhere unless a test records them). */
export type StageCount = 'photos' | 'faces' | 'people' | 'churn' | 'rejected';

export interface StageMetrics {
  count(name: StageCount, value: number): void;
  /** One error, dimensioned by its code (e.g. `decode-failed`, `SlowDown`). */
  error(code: string): void;
  /** Time a stage spent on one unit of work. */
  ms(stage: string, ms: number): void;
  /** Emit what was recorded (end of each invocation). */
  flush(): void;
}

export const noMetrics: StageMetrics = { count() {}, error() {}, ms() {}, flush() {} };

/** Metrics in CloudWatch's embedded metric format: one EMF line per invocation on stdout, which
 * CloudWatch turns into metrics without an API call. Errors go out as single metrics so each code
 * is its own dimension without touching the other counts. */
export function emfMetrics(config: PowertoolsConfig): StageMetrics {
  const metrics = new Metrics({ namespace: config.namespace, serviceName: config.service });
  let recorded = 0; // an empty flush makes Powertools warn on every invocation
  return {
    count: (name, value) => {
      recorded++;
      metrics.addMetric(name, MetricUnit.Count, value);
    },
    error: (code) => metrics.singleMetric().addDimension('code', code).addMetric('errors', MetricUnit.Count, 1),
    ms: (stage, ms) => {
      recorded++;
      metrics.addMetric(`${stage}Ms`, MetricUnit.Milliseconds, ms);
    },
    flush: () => {
      if (recorded > 0) metrics.publishStoredMetrics();
      recorded = 0;
    },
  };
}

/** The Logger port with a correlation id: every line logged while one SQS message or API request
 * is handled carries its id. */
export interface CorrelatedLogger extends Logger {
  correlate(id: string | undefined): void;
}

/** The Logger port over Powertools' logger: JSON with the service, level, cold start, the X-Ray
 * trace id (active tracing is on for every function) and the correlation id. */
export function powertoolsLogger(config: PowertoolsConfig): CorrelatedLogger {
  const logger = new PowertoolsLogger({ serviceName: config.service, logLevel: config.logLevel });
  return {
    debug: (m, f) => logger.debug(m, f ?? {}),
    info: (m, f) => logger.info(m, f ?? {}),
    warn: (m, f) => logger.warn(m, f ?? {}),
    error: (m, f) => logger.error(m, f ?? {}),
    correlate: (id) =>
      id === undefined ? logger.removeKeys(['correlationId']) : logger.appendKeys({ correlationId: id }),
  };
}

/** What an SQS-triggered handler needs besides its per-record work. */
export interface BatchObservability {
  readonly logger: Logger;
  readonly metrics?: StageMetrics;
  /** Set the logger's correlation id for the record being processed. */
  readonly correlate?: (id: string | undefined) => void;
  /** One X-Ray subsegment per record (Lambda with active tracing only). */
  readonly tracing?: StageTracing;
  /** Told each invocation's Lambda context (in-progress records expire with the invocation). */
  readonly idempotency?: Pick<IdempotentRuns, 'begin'>;
}

/** An SQS-triggered handler from a per-record function, through Powertools' batch processor: a
 * record that throws is reported in `batchItemFailures` (the event source mapping has
 * ReportBatchItemFailures) and comes back alone after the visibility timeout; the others are
 * deleted. Records run one after another: each may use the function's whole CPU (models). A batch
 * where every record failed is reported as such, not thrown, so the logs show each failure. */
export function sqsBatchHandler(
  onRecord: (record: SQSRecord) => Promise<void>,
  options: BatchObservability,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const { logger, metrics = noMetrics, correlate, tracing = noTracing } = options;
  const record = async (r: SQSRecord): Promise<void> => {
    correlate?.(r.messageId);
    try {
      await tracing.span('record', () => onRecord(r));
    } catch (err) {
      // Infrastructure failure (throttling, network): retry this message only; the DLQ catches
      // messages that keep failing.
      const error = err as Error;
      logger.error('message failed', { messageId: r.messageId, code: error.name, error: error.message });
      metrics.error(error.name || 'Error');
      throw err;
    } finally {
      correlate?.(undefined);
    }
  };
  return async (event, context) => {
    options.idempotency?.begin(context);
    try {
      return await processPartialResponse(event, record, new BatchProcessor(EventType.SQS), {
        throwOnFullBatchFailure: false,
        processInParallel: false,
      });
    } finally {
      metrics.flush();
    }
  };
}
