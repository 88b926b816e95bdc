export { S3EventQueue, formEncodeKey, normaliseS3Record, sqsRecordOf } from '../../../scripts/emulators/s3-events.ts';
