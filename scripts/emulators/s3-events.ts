import type { S3Event, S3EventRecord, SQSRecord } from 'aws-lambda';
import { DETECT_NOTIFICATIONS, matchesNotification } from '../../infra/notifications.ts';

/** Turns s3rver's `'event'` emissions into what the detect function receives in AWS: one SQS record
 * per S3 event record, its body the S3 notification JSON. s3rver's events differ from S3's in ways
 * the handler must not be shielded from, so this fixes them to the real shape:
 * - keys are form-encoded as S3 does (`my photo.jpg` → `my+photo.jpg`, non-ASCII percent-encoded);
 * - the bucket ARN is well formed; `ObjectCreated:Post` stays (S3 sends it for POST uploads);
 * - only events matching the stack's notification filters pass (s3rver has no filters). */
export const formEncodeKey = (key: string): string =>
  key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%20/g, '+'))
    .join('/');

export function normaliseS3Record(r: S3EventRecord): S3EventRecord | undefined {
  if (!matchesNotification(DETECT_NOTIFICATIONS, r.eventName, r.s3.object.key)) return undefined;
  return {
    ...r,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
    s3: {
      ...r.s3,
      bucket: { ...r.s3.bucket, arn: `arn:aws:s3:::${r.s3.bucket.name}` },
      object: { ...r.s3.object, key: formEncodeKey(r.s3.object.key) },
    },
  };
}

let seq = 0;
export function sqsRecordOf(body: unknown, queue = 'detect'): SQSRecord {
  const id = `msg-${++seq}`;
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'harness',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

/** Collects S3 events as SQS records until the test drains them into a handler. */
export class S3EventQueue {
  private records: SQSRecord[] = [];

  /** Feed one s3rver emission (or a synthesised event when running against LocalStack). */
  push(event: S3Event): void {
    for (const r of event.Records ?? []) {
      const n = normaliseS3Record(r);
      if (n) this.records.push(sqsRecordOf({ Records: [n] }));
    }
  }

  drain(): SQSRecord[] {
    const out = this.records;
    this.records = [];
    return out;
  }
}
