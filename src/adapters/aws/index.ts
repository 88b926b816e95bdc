export { S3BlobStore, type StoredObject } from './s3-blob-store.ts';
export { DynamoFaceStore } from './dynamo-face-store.ts';
export { createTableInput, PENDING_INDEX, PENDING_SHARDS, TABLE_ATTRIBUTES, TABLE_KEYS } from './table-schema.ts';
export { createDynamoClient, createS3Client, createSqsClient } from './clients.ts';
export { SqsWorkQueue, type WorkQueue } from './sqs-work-queue.ts';
