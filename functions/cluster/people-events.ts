import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ClusterUserOutcome } from '#core/pipeline/cluster-user.ts';
import type { Logger } from '#core/ports/logger.ts';

/** Environment variable naming the event bus `people.changed` goes to (the stack sets `default`);
 * unset: no events (npm run local, tests that do not ask for them). */
export const EVENT_BUS_ENV = 'RANKFACE_EVENT_BUS';
export const PEOPLE_CHANGED = { source: 'rankface', detailType: 'people.changed' } as const;

/** The event's detail: counts only, never names or face ids (subscribers fetch through the API). */
export interface PeopleChangedDetail {
  readonly userId: string;
  readonly people: number;
  readonly faces: number;
  readonly unassigned: number;
  readonly churn: ClusterUserOutcome['churn'];
}

export const peopleChangedDetail = (userId: string, r: ClusterUserOutcome): PeopleChangedDetail => ({
  userId,
  people: r.people.length,
  faces: r.faces,
  unassigned: r.unassigned.length,
  churn: r.churn,
});

/** One `people.changed` event per user per clustering run. A failed put is logged, never thrown:
 * the people are already written, and retrying the run for an event would redo the clustering. */
export function peopleChangedPublisher(
  client: EventBridgeClient,
  busName: string,
  logger: Logger,
): (userId: string, result: ClusterUserOutcome) => Promise<void> {
  return async (userId, result) => {
    const detail = peopleChangedDetail(userId, result);
    try {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: PEOPLE_CHANGED.source,
              DetailType: PEOPLE_CHANGED.detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0)
        logger.error('people.changed not published', {
          code: 'event-failed',
          userId,
          error: out.Entries?.[0]?.ErrorMessage,
        });
    } catch (err) {
      logger.error('people.changed not published', { code: 'event-failed', userId, error: (err as Error).message });
    }
  };
}

/** `capture`: the function's tracer patching the client (StageTracing.capture), so each PutEvents is
 * an X-Ray subsegment like the S3, DynamoDB and SQS calls. */
export function peopleChangedFromEnv(
  region: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  capture: <T>(client: T) => T = (client) => client,
): ((userId: string, result: ClusterUserOutcome) => Promise<void>) | undefined {
  const bus = env[EVENT_BUS_ENV];
  return bus
    ? peopleChangedPublisher(capture(new EventBridgeClient({ region, maxAttempts: 2 })), bus, logger)
    : undefined;
}
