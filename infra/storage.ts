import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE } from '../functions/shared/idempotency-table.ts';
import { PENDING_INDEX, TABLE_KEYS } from '../src/adapters/aws/table-schema.ts';

export interface StorageProps {
  /** Origins allowed to PUT/POST uploads from a browser (the stack's CORS setting). */
  readonly corsOrigins: readonly string[];
}

/** The photos bucket and the faces table: the stateful part of the stack (retained on delete).
 * Their logical ids are pinned to the ones they had before the stack was split into constructs,
 * so an update never replaces them. */
export class Storage extends Construct {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;
  /** Powertools idempotency records of the queue consumers (one per S3 event, embed job, cluster
   * job), expired by TTL after a day: operational state, not user data, so not retained. */
  readonly idempotencyTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Photos', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Versioned (issue 13 item 2): an overwrite or a delete keeps the previous original as a
      // noncurrent version for 30 days, so no write can silently lose a user's photo.
      versioned: true,
      lifecycleRules: [
        {
          id: 'noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.POST],
          allowedOrigins: [...props.corsOrigins],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.bucket.node.defaultChild as s3.CfnBucket).overrideLogicalId('PhotosB9552D0D');

    this.table = new dynamodb.Table(this, 'Faces', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId('Faces740F12D8');
    this.table.addGlobalSecondaryIndex({
      indexName: PENDING_INDEX.indexName,
      partitionKey: { name: PENDING_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: PENDING_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.idempotencyTable = new dynamodb.Table(this, 'Idempotency', {
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
