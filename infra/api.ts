import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CROP_PREFIX, ENV, UPLOAD_PREFIX } from '../src/config/aws.ts';
import { ROUTES } from '../functions/api/routes.ts';
import {
  DEFAULT_USER_RATE_LIMIT,
  RATE_LIMIT_TABLE,
  RATE_LIMIT_TABLE_ENV,
  USER_RATE_LIMIT_ENV,
} from '../functions/api/user-rate-limit.ts';
import { isPublicRoute } from '../src/api/routes.ts';
import { functionProps, type FunctionSettings } from './bundling.ts';
import { FUNCTION_MEMORY_MB } from './function-sizes.ts';

export interface ApiProps {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;
  /** The stack's CORS setting: API Gateway's preflight and the handler's answers both use it. */
  readonly corsOrigins: readonly string[];
  readonly functionSettings: FunctionSettings;
  /** Cluster jobs: `POST /recluster` queues one. */
  readonly clusterQueue: sqs.IQueue;
  readonly clusterLeaseSeconds: number;
  /** Requests one user may make per minute (context `apiUserRequestsPerMinute`). */
  readonly userRequestsPerMinute: number;
}

/** API Gateway throttling: the stage's default for every method, tighter limits on the routes that
 * start work (erasing an account, on-demand clustering, upload URLs), and a usage plan carrying
 * the same limits plus a monthly quota, to which per-client API keys can be attached. */
export const API_THROTTLE = {
  stage: { rateLimit: 50, burstLimit: 100 },
  methods: {
    'DELETE /me': { rateLimit: 1, burstLimit: 2 },
    'POST /recluster': { rateLimit: 2, burstLimit: 5 },
    'POST /uploads': { rateLimit: 20, burstLimit: 50 },
  },
  monthlyQuota: 5_000_000,
  /** Per user (the API function's own counter: usage plans cannot tell Cognito users apart). */
  userRequestsPerMinute: (DEFAULT_USER_RATE_LIMIT.requests * 60) / DEFAULT_USER_RATE_LIMIT.windowSeconds,
} as const;

/** The REST API: one Lambda behind API Gateway (REST v1, which LocalStack's free tier serves),
 * every route guarded by a Cognito user pool authorizer. */
export class Api extends Construct {
  readonly fn: NodejsFunction;
  readonly restApi: apigw.RestApi;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** Per-user request counters (one item per user and minute, expired by TTL). */
  readonly rateLimitTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { bucket, table } = props;
    this.rateLimitTable = new dynamodb.Table(this, 'UserRateLimits', {
      partitionKey: { name: RATE_LIMIT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: RATE_LIMIT_TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(
      this,
      'ApiFn',
      functionProps(this, 'ApiFn', {
        entry: 'functions/api/handler.ts',
        kind: { nodeModules: [], models: false },
        memoryMb: FUNCTION_MEMORY_MB.api,
        timeout: Duration.seconds(15),
        environment: {
          [ENV.bucket]: bucket.bucketName,
          [ENV.table]: table.tableName,
          [ENV.allowedOrigins]: props.corsOrigins.join(','),
          [ENV.clusterQueueUrl]: props.clusterQueue.queueUrl,
          [ENV.clusterLeaseSeconds]: String(props.clusterLeaseSeconds),
          [RATE_LIMIT_TABLE_ENV]: this.rateLimitTable.tableName,
          [USER_RATE_LIMIT_ENV]: `${props.userRequestsPerMinute}/60`,
        },
        settings: props.functionSettings,
      }),
    );
    const objects = (actions: string[], prefix: string): void =>
      this.fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${prefix}*`)] }));
    objects(['s3:GetObject'], CROP_PREFIX); // presigned crop URLs act with the function's rights
    objects(['s3:PutObject'], UPLOAD_PREFIX); // presigned uploads, key built from the caller's sub
    // DELETE /me lists and deletes the caller's uploads and crops.
    objects(['s3:DeleteObject'], UPLOAD_PREFIX);
    objects(['s3:DeleteObject'], CROP_PREFIX);
    objects(['s3:DeleteObjectVersion'], UPLOAD_PREFIX);
    objects(['s3:DeleteObjectVersion'], CROP_PREFIX);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:ListBucketVersions'], resources: [bucket.bucketArn] }),
    );
    props.clusterQueue.grantSendMessages(this.fn);
    this.rateLimitTable.grant(this.fn, 'dynamodb:UpdateItem'); // the counter's conditional ADD, nothing else
    const read = ['dynamodb:GetItem', 'dynamodb:Query'];
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...read, ...writes], resources: [table.tableArn] }));

    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Pinned to the id it had before the stack was split: an update must not replace the pool.
    (this.userPool.node.defaultChild as cognito.CfnUserPool).overrideLogicalId('Users0A0EEA89');
    this.client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true, userPassword: true },
      generateSecret: false,
    });
    (this.client.node.defaultChild as cognito.CfnUserPoolClient).overrideLogicalId('UsersWebClient8EE36D42');
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [this.userPool] });
    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: 'rankface',
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: API_THROTTLE.stage.rateLimit,
        throttlingBurstLimit: API_THROTTLE.stage.burstLimit,
        methodOptions: Object.fromEntries(
          Object.entries(API_THROTTLE.methods).map(([key, t]) => {
            const [method, path] = key.split(' ');
            return [`${path}/${method}`, { throttlingRateLimit: t.rateLimit, throttlingBurstLimit: t.burstLimit }];
          }),
        ),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: ['authorization', 'content-type'],
      },
    });
    const integration = new apigw.LambdaIntegration(this.fn);
    for (const route of ROUTES) {
      const resource = this.restApi.root.resourceForPath(route.resource);
      const auth = isPublicRoute(route)
        ? { authorizationType: apigw.AuthorizationType.NONE }
        : { authorizer, authorizationType: apigw.AuthorizationType.COGNITO };
      resource.addMethod(route.method, integration, auth);
    }
    this.restApi.addUsagePlan('UsagePlan', {
      name: 'rankface',
      description: 'Stage-wide throttle and monthly quota; attach an API key per client to meter it separately',
      throttle: { rateLimit: API_THROTTLE.stage.rateLimit, burstLimit: API_THROTTLE.stage.burstLimit },
      quota: { limit: API_THROTTLE.monthlyQuota, period: apigw.Period.MONTH },
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });
  }
}
