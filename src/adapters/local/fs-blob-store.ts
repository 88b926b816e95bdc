import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { BlobStore } from '#core/ports/blob-store.ts';

/** Blob store on a folder: key `a/b/c.png` is the file `<root>/a/b/c.png`. Keys that would escape
 * the root (`..`, absolute paths, empty segments) are refused. The content type is not stored:
 * locally the file extension says it. */
export class FsBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const segments = key.split('/');
    if (
      key === '' ||
      key.startsWith('/') ||
      segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))
    ) {
      throw new Error(`invalid blob key '${key}'`);
    }
    return join(this.root, ...segments);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const buf = await readFile(this.pathOf(key));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(key: string, body: Uint8Array, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: a reader never sees a half-written blob, and a crash leaves the old one.
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true }); // no stray .tmp file after a failed write (disk full)
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await this.removeEmptyFolders(dirname(path));
  }

  /** The folders a deleted blob leaves empty (a removed photo's crops folder), up to the root:
   * rmdir removes only an empty folder, so nothing else is ever deleted. */
  private async removeEmptyFolders(dir: string): Promise<void> {
    for (let at = dir; at.startsWith(this.root + sep); at = dirname(at)) {
      try {
        await rmdir(at);
      } catch {
        return; // not empty (or gone): the folders above it are not empty either
      }
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile() && !entry.name.endsWith('.tmp'))
          keys.push(relative(this.root, full).split(sep).join('/'));
      }
    };
    // Walk only the folder the prefix names (its part up to the last '/'), not the whole store.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(folder === '' ? this.root : this.pathOf(folder));
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }
}
