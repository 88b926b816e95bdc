import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PENDING_INDEX, TABLE_KEYS } from '../src/adapters/aws/table-schema.ts';
import { CROP_PREFIX, ENV, UPLOAD_PREFIX } from '../src/config/aws.ts';
import { ROUTES } from '../functions/api/routes.ts';
import { functionProps } from './bundling.ts';
import { DETECT_NOTIFICATIONS } from './notifications.ts';
import { WebSite } from './web.ts';
import { FUNCTION_MEMORY_MB } from './function-sizes.ts';
import { LargeUserClustering } from './large-users.ts';

const ML = { nodeModules: ['sharp', 'onnxruntime-node'], models: true } as const;

/** The serverless pipeline: S3 uploads → (SQS) detect → (SQS) embed → DynamoDB; an EventBridge rule
 * fans clustering out per user through a queue; a REST API (Cognito) serves people. */
export class RankfaceStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Browsers reach the API and the upload URLs only from the web app's origin (context overrides).
    const site = new WebSite(this, 'Web');
    const corsOrigins = (this.node.tryGetContext('uploadCorsOrigins') as string[] | undefined) ?? [site.origin];
    const scheduleMinutes = Number(this.node.tryGetContext('clusterScheduleMinutes') ?? 5);

    // ---- storage ---------------------------------------------------------------------------
    const bucket = new s3.Bucket(this, 'Photos', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      cors: [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: corsOrigins, allowedHeaders: ['*'], exposedHeaders: ['ETag'], maxAge: 3000 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const table = new dynamodb.Table(this, 'Faces', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: PENDING_INDEX.indexName,
      partitionKey: { name: PENDING_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: PENDING_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });

    // ---- queues (each with a DLQ and an alarm on its depth) -----------------------------------
    const queueWithDlq = (name: string, functionTimeout: Duration): sqs.Queue => {
      const dlq = new sqs.Queue(this, `${name}Dlq`, { retentionPeriod: Duration.days(14), encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
      new cloudwatch.Alarm(this, `${name}DlqAlarm`, {
        alarmDescription: `Messages in the ${name} dead-letter queue: processing failed repeatedly`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      return new sqs.Queue(this, `${name}Queue`, {
        // AWS guidance: at least 6x the consumer's timeout, so retries never overlap a live run.
        visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
      });
    };

    const detectTimeout = Duration.minutes(2);
    const embedTimeout = Duration.minutes(2);
    const clusterTimeout = Duration.minutes(10);
    const detectQueue = queueWithDlq('Detect', detectTimeout);
    const embedQueue = queueWithDlq('Embed', embedTimeout);
    const clusterQueue = queueWithDlq('Cluster', clusterTimeout);

    for (const rule of DETECT_NOTIFICATIONS) {
      for (const e of rule.events) {
        const type = e === 'ObjectCreated' ? s3.EventType.OBJECT_CREATED : s3.EventType.OBJECT_REMOVED;
        bucket.addEventNotification(type, new s3n.SqsDestination(detectQueue), { prefix: rule.prefix });
      }
    }

    // ---- functions -----------------------------------------------------------------------------
    const common = { [ENV.bucket]: bucket.bucketName, [ENV.table]: table.tableName };
    const mlEnv = { RANKFACE_MODELS: '/var/task/models' };

    const detectFn = new NodejsFunction(this, 'DetectFn', functionProps('functions/detect/handler.ts', ML, FUNCTION_MEMORY_MB.detect, detectTimeout, { ...common, ...mlEnv, [ENV.embedQueueUrl]: embedQueue.queueUrl }));
    const embedFn = new NodejsFunction(this, 'EmbedFn', functionProps('functions/embed/handler.ts', ML, FUNCTION_MEMORY_MB.embed, embedTimeout, { ...common, ...mlEnv }));
    const clusterFn = new NodejsFunction(this, 'ClusterFn', functionProps('functions/cluster/handler.ts', { nodeModules: ['usearch'], models: false }, FUNCTION_MEMORY_MB.cluster, clusterTimeout, { ...common, [ENV.clusterQueueUrl]: clusterQueue.queueUrl, [ENV.clusterLeaseSeconds]: String(clusterTimeout.toSeconds() * 2) }));
    const apiFn = new NodejsFunction(this, 'ApiFn', functionProps('functions/api/handler.ts', { nodeModules: [], models: false }, FUNCTION_MEMORY_MB.api, Duration.seconds(15), { ...common }));

    detectFn.addEventSource(new SqsEventSource(detectQueue, { batchSize: 5, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true }));
    embedFn.addEventSource(new SqsEventSource(embedQueue, { batchSize: 10, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true }));
    // One user per invocation: a huge library occupies one function while other users proceed.
    clusterFn.addEventSource(new SqsEventSource(clusterQueue, { batchSize: 1, reportBatchItemFailures: true }));

    new events.Rule(this, 'ClusterSchedule', {
      description: 'Fan out clustering to users whose faces changed',
      schedule: events.Schedule.rate(Duration.minutes(scheduleMinutes)),
      targets: [new targets.LambdaFunction(clusterFn, { retryAttempts: 2 })],
    });

    // ---- least-privilege grants: explicit actions on explicit prefixes, no wildcards -------------
    const s3Objects = (fn: lambda.IFunction, actions: string[], prefix: string): void => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }));
    };
    const tableAccess = (fn: lambda.IFunction, write: boolean): void => {
      const read = ['dynamodb:GetItem', 'dynamodb:Query'];
      const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: write ? [...read, ...writes] : read, resources: [table.tableArn] }));
    };
    s3Objects(detectFn, ['s3:GetObject'], UPLOAD_PREFIX);
    s3Objects(detectFn, ['s3:PutObject', 's3:DeleteObject'], CROP_PREFIX);
    tableAccess(detectFn, true);
    embedQueue.grantSendMessages(detectFn);

    s3Objects(embedFn, ['s3:GetObject'], CROP_PREFIX);
    tableAccess(embedFn, true);

    tableAccess(clusterFn, true);
    clusterFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${PENDING_INDEX.indexName}`] }));
    clusterQueue.grantSendMessages(clusterFn);
    new LargeUserClustering(this, 'LargeUsers', { table, clusterFn, environment: common });

    s3Objects(apiFn, ['s3:GetObject'], CROP_PREFIX); // presigned crop URLs act with the function's rights
    s3Objects(apiFn, ['s3:PutObject'], UPLOAD_PREFIX); // presigned uploads, key built from the caller's sub
    tableAccess(apiFn, true);

    // ---- REST API with a Cognito user pool authorizer ------------------------------------------
    const userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const client = userPool.addClient('WebClient', { authFlows: { userSrp: true, userPassword: true }, generateSecret: false });
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [userPool] });
    const api = new apigw.RestApi(this, 'Api', {
      restApiName: 'rankface',
      deployOptions: { stageName: 'v1', throttlingRateLimit: 50, throttlingBurstLimit: 100 },
      defaultCorsPreflightOptions: { allowOrigins: corsOrigins, allowMethods: ['GET', 'POST', 'PATCH', 'OPTIONS'], allowHeaders: ['authorization', 'content-type'] },
    });
    const integration = new apigw.LambdaIntegration(apiFn);
    for (const route of ROUTES) {
      const resource = api.root.resourceForPath(route.resource);
      resource.addMethod(route.method, integration, { authorizer, authorizationType: apigw.AuthorizationType.COGNITO });
    }

    site.deployApp({ api, userPool, routes: ROUTES.map((r) => `${r.method} ${r.resource}`), domainPrefix: (this.node.tryGetContext('webDomainPrefix') as string | undefined) ?? `rankface-${this.account}` });

    // ---- outputs ---------------------------------------------------------------------------------
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    new CfnOutput(this, 'DetectQueueUrl', { value: detectQueue.queueUrl });
  }
}
