import type { SQSRecord } from 'aws-lambda';
import type { WorkQueue } from '#adapters/aws/sqs-work-queue.ts';
import { sqsRecordOf } from './s3-events.ts';

/** Stands in for an SQS queue between two stages (no SQS emulator runs here): what one handler
 * sends, the test delivers to the next handler as SQS records, the way Lambda's event source
 * mapping would. */
export class InProcessQueue implements WorkQueue {
  private pending: SQSRecord[] = [];
  sent = 0;

  constructor(readonly name: string) {}

  async send(messages: readonly object[]): Promise<void> {
    for (const m of messages) this.pending.push(sqsRecordOf(m, this.name));
    this.sent += messages.length;
  }

  drain(): SQSRecord[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
