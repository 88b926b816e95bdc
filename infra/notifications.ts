/** Which S3 events reach the detect queue: plain data shared by the CDK stack and the integration
 * test harness (which filters emulator events with the same rules), so they cannot drift. */
export interface NotificationRule {
  /** S3 event name families, as in the bucket notification configuration. */
  readonly events: readonly ('ObjectCreated' | 'ObjectRemoved')[];
  readonly prefix: string;
}

export const DETECT_NOTIFICATIONS: readonly NotificationRule[] = [
  // Uploads only: crops are written under faces/ and must never re-trigger detection.
  { events: ['ObjectCreated', 'ObjectRemoved'], prefix: 'uploads/' },
];

/** Does an S3 event (e.g. `ObjectCreated:Put`) on `key` (decoded) match a rule? */
export const matchesNotification = (rules: readonly NotificationRule[], eventName: string, key: string): boolean =>
  rules.some((r) => r.events.some((e) => eventName.startsWith(e + ':')) && key.startsWith(r.prefix));
