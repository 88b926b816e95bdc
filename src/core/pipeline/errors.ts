/** A failure recorded on a photo instead of thrown: the code is stable, the message is for people. */
export interface RecordedError {
  readonly code: string;
  readonly message: string;
}

/** Map anything thrown while processing one photo to a recorded error. Errors that carry a string
 * `code` (typed decode errors) keep it; anything else is 'internal'. */
export function toRecordedError(err: unknown): RecordedError {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'internal', message: err.message };
  }
  return { code: 'internal', message: String(err) };
}
