import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { StageQueue } from './sqs.ts';

/** What Lambda's SQS event source mapping does, against a real SQS endpoint: receive up to a batch,
 * hand the records to the function in Lambda's event shape, then delete what succeeded. With
 * `ReportBatchItemFailures` (as the stack configures), the ids in `batchItemFailures` stay on the
 * queue and come back after the visibility timeout; a function that throws keeps the whole batch.
 * After `maxReceiveCount` receives SQS itself moves a message to the dead-letter queue. */
export async function receiveBatch(client: SQSClient, queue: StageQueue, waitSeconds = 0): Promise<SQSRecord[]> {
  const res = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: queue.batchSize,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return (res.Messages ?? []).map((m) => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: m.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  }));
}

/** Delete the records the function did not report as failed (Lambda's partial batch response). */
export async function deleteSucceeded(
  client: SQSClient,
  queue: StageQueue,
  records: readonly SQSRecord[],
  response: SQSBatchResponse | void,
): Promise<number> {
  const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  for (let i = 0; i < done.length; i += 10) {
    const entries = done.slice(i, i + 10).map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle }));
    await client.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
  }
  return done.length;
}

/** Send raw bodies to a queue (S3 notification JSON to the detect queue, as the bucket would). */
export async function sendBodies(client: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b }));
    const res = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if (res.Failed?.length) throw new Error(`SQS refused ${res.Failed.length} messages to ${queueUrl}`);
  }
}
