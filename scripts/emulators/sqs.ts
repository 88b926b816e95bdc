import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { DLQ_RETENTION_DAYS, STAGE_QUEUES, STAGES, type Stage } from '../../infra/queue-settings.ts';

/** A stage's work queue and its dead-letter queue, created with the stack's settings. */
export interface StageQueue {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly batchSize: number;
}

export interface LocalSqs {
  readonly kind: 'fauxqs' | 'endpoint';
  /** Set for the emulator (the SDK reads AWS_ENDPOINT_URL_SQS); undefined against LocalStack. */
  readonly endpoint: string | undefined;
  readonly client: SQSClient;
  readonly queues: Readonly<Record<Stage, StageQueue>>;
  stop(): Promise<void>;
}

export interface SqsOptions {
  /** Prefix of every queue name (unique per test file when a LocalStack is shared). */
  readonly prefix: string;
  /** Tests shorten the visibility timeout (the stack's is 12-60 minutes) to see a redelivery in
   * seconds; everything else (receive count, DLQ, batch size) is the stack's. */
  readonly visibilityTimeoutSeconds?: Partial<Record<Stage, number>>;
}

async function createQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: attrs.Attributes!.QueueArn! };
}

/** SQS for one test file or `npm run local`: fauxqs (in-process, real SQS wire protocol: visibility
 * timeouts, receive counts, redrive to a DLQ) or, when AWS_ENDPOINT_URL is set, that endpoint
 * (LocalStack). Creates the stack's three stage queues with their DLQs. */
export async function startLocalSqs(options: SqsOptions): Promise<LocalSqs> {
  const endpointGiven = Boolean(process.env.AWS_ENDPOINT_URL);
  let stop = async (): Promise<void> => {};
  let endpoint: string | undefined;
  if (!endpointGiven) {
    const server = await startFauxqs({ port: 0, logger: false, host: 'localhost' });
    endpoint = `http://127.0.0.1:${server.port}`;
    process.env.AWS_ENDPOINT_URL_SQS = endpoint;
    stop = () => server.stop();
  }
  const client = new SQSClient({ region: process.env.AWS_REGION ?? 'us-east-1', useQueueUrlAsEndpoint: false });
  const queues = {} as Record<Stage, StageQueue>;
  for (const stage of STAGES) {
    const s = STAGE_QUEUES[stage];
    const visibility = options.visibilityTimeoutSeconds?.[stage] ?? s.visibilityTimeoutSeconds;
    const dlq = await createQueue(client, `${options.prefix}-${stage}-dlq`, {
      MessageRetentionPeriod: String(DLQ_RETENTION_DAYS * 86_400),
    });
    const q = await createQueue(client, `${options.prefix}-${stage}`, {
      VisibilityTimeout: String(visibility),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: s.maxReceiveCount }),
    });
    queues[stage] = {
      url: q.url,
      arn: q.arn,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
      visibilityTimeoutSeconds: visibility,
      maxReceiveCount: s.maxReceiveCount,
      batchSize: s.batchSize,
    };
  }
  return {
    kind: endpointGiven ? 'endpoint' : 'fauxqs',
    endpoint,
    client,
    queues,
    async stop() {
      client.destroy();
      await stop();
    },
  };
}
