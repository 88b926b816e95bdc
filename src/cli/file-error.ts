import { PhotoSourceError } from '#core/ports/photo-source.ts';

/** The typed code and message of a file that could not be analysed, as `detect` and `eval` report
 * it: rankface's own codes (`corrupt`, `unsupported`, `empty`, `too-large`, `not-a-file`, ...), or
 * Node's code lower-cased (`enoent`, `eacces`) when the file could not be opened, else `internal`. */
export function fileErrorOf(err: unknown): { code: string; message: string } {
  // A file that cannot be opened keeps Node's code (enoent, eacces...), as before.
  const cause =
    err instanceof PhotoSourceError && err.code === 'unreadable'
      ? (err.cause as { code?: unknown } | undefined)
      : undefined;
  const e = (typeof cause?.code === 'string' ? cause : err) as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'internal';
  // Node's file errors (ENOENT, EISDIR...) keep their code, lower-cased for one vocabulary.
  return {
    code: code.startsWith('E') && code === code.toUpperCase() ? code.toLowerCase() : code,
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
