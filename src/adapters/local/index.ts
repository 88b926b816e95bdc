/** Local adapters for the core's ports: a folder for blobs, one SQLite file for records. */
export { FsBlobStore } from './fs-blob-store.ts';
export { SqliteFaceStore, type FileStamp } from './sqlite-face-store.ts';
