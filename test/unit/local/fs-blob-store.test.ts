import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FsBlobStore } from '#adapters/local/fs-blob-store.ts';
import { dataPath, describeWithData } from '#test/helpers/data.ts';

describeWithData('FsBlobStore', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores bytes under folder keys, lists by prefix, deletes, and refuses keys that escape the root', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rankface-blobs-'));
    const store = new FsBlobStore(dir);
    const bytes = new Uint8Array(readFileSync(dataPath('bbt', 'amy', 'amy1.png')));
    await store.put('faces/local/abc/000.png', bytes, 'image/png');
    await store.put('faces/local/abc/001.png', bytes.subarray(0, 10), 'image/png');
    await store.put('faces/other/x.png', bytes, 'image/png');

    expect(Buffer.from((await store.get('faces/local/abc/000.png'))!).equals(Buffer.from(bytes))).toBe(true);
    expect(readFileSync(join(dir, 'faces', 'local', 'abc', '001.png')).byteLength).toBe(10);
    expect(await store.get('faces/local/abc/404.png')).toBeUndefined();
    expect(await store.list('faces/local/')).toEqual(['faces/local/abc/000.png', 'faces/local/abc/001.png']);
    expect(await store.list('faces/')).toHaveLength(3);
    expect(await store.list('nothing/here/')).toEqual([]);

    await store.delete('faces/local/abc/000.png');
    await store.delete('faces/local/abc/000.png'); // idempotent
    expect(await store.list('faces/local/')).toEqual(['faces/local/abc/001.png']);

    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '']) {
      await expect(store.put(bad, bytes, 'image/png')).rejects.toThrow(/invalid blob key/);
    }
  });
});
