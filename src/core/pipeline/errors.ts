import { RankfaceError } from '#core/errors.ts';

/** A failure recorded on a photo instead of thrown: the code is stable, the message is for people. */
export interface RecordedError {
  readonly code: string;
  readonly message: string;
}

/** Map anything thrown while processing one photo to a recorded error. Rankface's own errors keep
 * their stable code (typed decode errors, worker errors); anything else is 'internal'. */
export function toRecordedError(err: unknown): RecordedError {
  if (err instanceof RankfaceError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}
