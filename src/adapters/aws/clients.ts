import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '#config/aws.ts';

/** SDK clients. Endpoints come from the SDK's own environment variables (AWS_ENDPOINT_URL...), so
 * the code is the same against AWS, LocalStack and the test emulators; only S3 needs path-style
 * addressing when an endpoint is overridden. */
export const createS3Client = (config: AwsConfig): S3Client =>
  new S3Client({ region: config.region, forcePathStyle: config.endpointOverride });

export const createDynamoClient = (config: AwsConfig): DynamoDBClient => new DynamoDBClient({ region: config.region });

export const createSqsClient = (config: AwsConfig): SQSClient =>
  new SQSClient({ region: config.region, useQueueUrlAsEndpoint: !config.sqsEndpointOverride });
