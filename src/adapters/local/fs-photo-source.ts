import { constants, type Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  PhotoSourceError,
  type PhotoSource,
  type SkippedSourceFile,
  type SourceFile,
  type SourceScan,
} from '#core/ports/photo-source.ts';

/** A local folder as a photo source. Only regular files are read (a FIFO would block for ever, a
 * link to /dev/zero never ends), sizes are checked with `stat` before a byte is read, and names
 * are handled as bytes, so a file whose name is not UTF-8 is still found and read. */

const IMAGE_EXTENSIONS = new Set([
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'png',
  'webp',
  'avif',
  'tif',
  'tiff',
  'gif',
  'heic',
  'heif',
]);

export interface FsPhotoSourceOptions {
  /** Files larger than this are skipped as 'too-large' without being read. */
  readonly maxBytes: number;
  /** Folders (absolute) never scanned, e.g. the output folder. */
  readonly excludeFolders?: readonly string[];
  /** A folder holding a file of one of these names is never scanned (rankface's own output). */
  readonly skipFoldersContaining?: readonly string[];
}

const SEP = Buffer.from('/');

/** A file name as text: UTF-8 when the bytes are UTF-8, otherwise every non-ASCII byte as %XX
 * (stable and unique, so the file keeps its identity across runs). */
export function nameOf(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return text;
  return Array.from(bytes, (b) =>
    b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

const kindOf = (s: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string =>
  s.isFIFO()
    ? 'a FIFO'
    : s.isSocket()
      ? 'a socket'
      : s.isCharacterDevice() || s.isBlockDevice()
        ? 'a device'
        : 'not a regular file';

/** Reads a regular file, refusing anything else and anything over `maxBytes` before reading it.
 * Opened non-blocking so a FIFO cannot hang the open; checked on the open handle (no race). */
export async function readRegularFile(path: string | Buffer, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new PhotoSourceError('unreadable', (err as Error).message, { cause: err });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new PhotoSourceError('not-a-file', `${kindOf(st)}, not a regular file: not read`);
    if (st.size > maxBytes) throw new PhotoSourceError('too-large', `file is ${st.size} bytes, limit is ${maxBytes}`);
    // Read at most one byte past the limit: a file that grows while read is still refused.
    const buffer = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.byteLength) {
      const { bytesRead } = await handle.read(buffer, length, buffer.byteLength - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes)
      throw new PhotoSourceError('too-large', `file grew past the limit of ${maxBytes} bytes while read`);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } catch (err) {
    if (err instanceof PhotoSourceError) throw err;
    throw new PhotoSourceError('unreadable', (err as Error).message, { cause: err });
  } finally {
    await handle.close();
  }
}

export class FsPhotoSource implements PhotoSource {
  private readonly root: string;
  /** Byte paths of the last scan, by their text name. */
  private readonly paths = new Map<string, Buffer>();

  constructor(
    root: string,
    private readonly options: FsPhotoSourceOptions,
  ) {
    this.root = resolve(root);
  }

  async scan(): Promise<SourceScan> {
    try {
      if (!(await stat(this.root)).isDirectory()) throw new Error('not a folder');
      await readdir(this.root);
    } catch (err) {
      throw new PhotoSourceError(
        'source-unreadable',
        `cannot read photos folder ${this.root}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.paths.clear();
    const out = { files: [] as SourceFile[], skipped: [] as SkippedSourceFile[], unreadableFolders: [] as string[] };
    await this.walk(Buffer.from(this.root), '', out);
    return out;
  }

  read(rel: string): Promise<Uint8Array> {
    const path = this.paths.get(rel);
    if (!path) return Promise.reject(new PhotoSourceError('unreadable', `${rel} was not found by the last scan`));
    return readRegularFile(path, this.options.maxBytes);
  }

  private async isSkippedFolder(dir: Buffer): Promise<boolean> {
    if ((this.options.excludeFolders ?? []).some((f) => Buffer.from(resolve(f)).equals(dir))) return true;
    for (const name of this.options.skipFoldersContaining ?? []) {
      try {
        await stat(Buffer.concat([dir, SEP, Buffer.from(name)]));
        return true;
      } catch {
        // not there
      }
    }
    return false;
  }

  private async walk(
    dir: Buffer,
    relDir: string,
    out: { files: SourceFile[]; skipped: SkippedSourceFile[]; unreadableFolders: string[] },
  ): Promise<void> {
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      out.unreadableFolders.push(relDir || '.');
      out.skipped.push({
        file: relDir || '.',
        code: 'unreadable',
        reason: `cannot list folder: ${(err as Error).message}`,
      });
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      if (entry.name[0] === 0x2e) continue; // hidden files and folders
      const abs = Buffer.concat([dir, SEP, entry.name]);
      const name = nameOf(entry.name);
      const rel = relDir ? `${relDir}/${name}` : name;
      if (entry.isDirectory()) {
        if (!(await this.isSkippedFolder(abs))) await this.walk(abs, rel, out);
        continue;
      }
      await this.visitFile(abs, rel, name, out);
    }
  }

  private async visitFile(
    abs: Buffer,
    rel: string,
    name: string,
    out: { files: SourceFile[]; skipped: SkippedSourceFile[] },
  ): Promise<void> {
    let st;
    try {
      st = await stat(abs); // follows a symlink; stat never blocks on a FIFO
    } catch (err) {
      out.skipped.push({ file: rel, code: 'unreadable', reason: (err as Error).message });
      return;
    }
    if (st.isDirectory()) return; // a symlink to a folder: not followed (loops)
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
    if (!IMAGE_EXTENSIONS.has(ext)) {
      out.skipped.push({
        file: rel,
        code: 'unsupported',
        reason: ext ? `not a photo type rankface reads (.${ext})` : 'no file extension',
      });
    } else if (!st.isFile()) {
      out.skipped.push({ file: rel, code: 'not-a-file', reason: `${kindOf(st)}, not a regular file: not read` });
    } else if (st.size > this.options.maxBytes) {
      out.skipped.push({
        file: rel,
        code: 'too-large',
        reason: `file is ${st.size} bytes, limit is ${this.options.maxBytes}`,
      });
    } else {
      this.paths.set(rel, abs);
      out.files.push({ rel, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
}
