/** Where a stage hands work to the next one: one JSON message per job. SQS in AWS and in every
 * test and `npm run local` (an SQS emulator); delivery is at least once, so consumers are
 * idempotent. */
export interface WorkQueue {
  send(messages: readonly object[]): Promise<void>;
}
