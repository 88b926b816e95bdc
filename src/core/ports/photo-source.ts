import { RankfaceError } from '#core/errors.ts';

/** Where a library's photos come from (a local folder today). The library sync reads only through
 * this port, so its rules are tested without a disk and the CLI and any other shell share them. */

/** One photo file as listed by a scan. */
export interface SourceFile {
  /** Stable name within the source: relative path, '/' separators. */
  readonly rel: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A file the scan saw and will not read, with a stable code and a reason for people. */
export interface SkippedSourceFile {
  readonly file: string;
  readonly code: string;
  readonly reason: string;
}

export interface SourceScan {
  readonly files: readonly SourceFile[];
  readonly skipped: readonly SkippedSourceFile[];
  /** Folders that could not be listed: what was stored under them is kept, not removed. */
  readonly unreadableFolders: readonly string[];
}

export interface PhotoSource {
  /** Every photo file under the source. Throws PhotoSourceError when the source itself cannot be
   * read (missing, unmounted, not a folder): an unreadable library is never "empty". */
  scan(): Promise<SourceScan>;
  /** The bytes of one scanned file. Throws PhotoSourceError ('not-a-file', 'too-large',
   * 'unreadable') without reading more than the size limit. */
  read(rel: string): Promise<Uint8Array>;
}

export type PhotoSourceErrorCode = 'source-unreadable' | 'not-a-file' | 'too-large' | 'unreadable';

export class PhotoSourceError extends RankfaceError {
  constructor(
    override readonly code: PhotoSourceErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** What the sync remembers per file so an unchanged file is not read again. */
export interface FileStamp {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly contentHash: string;
}

export interface FileStampStore {
  listFileStamps(userId: string): FileStamp[];
  replaceFileStamps(userId: string, stamps: readonly FileStamp[]): void;
}
