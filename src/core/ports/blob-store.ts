/** Where photo bytes and face crops live: S3 in the cloud, a folder locally. Keys use '/'. */
export interface BlobStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key under a prefix (pages internally). */
  list(prefix: string): Promise<string[]>;
}
