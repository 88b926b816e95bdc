import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LARGE_USER_ENV, LARGE_USER_FACES } from '../functions/cluster/large-users.ts';
import { EVENT_BUS_ENV } from '../functions/cluster/people-events.ts';
import { PENDING_INDEX } from '../src/adapters/aws/table-schema.ts';
import { repoRoot } from './bundling.ts';

export interface LargeUserClusteringProps {
  readonly table: dynamodb.ITable;
  /** The cluster worker: it counts a user's faces and starts the task above the limit. */
  readonly clusterFn: lambda.Function;
  /** Settings the task shares with the worker (table, bucket names). */
  readonly environment: Record<string, string>;
  /** Faces above which a user leaves Lambda (docs/scale.md). */
  readonly faceLimit?: number;
  /** The stack's log retention (every log group expires alike). */
  readonly logRetention: logs.RetentionDays;
}

/** Task size: 1M faces at 512-D peaked at 5.5 GB and ran 613 s on 2 cores (docs/scale.md). */
export const CLUSTER_TASK = { cpu: 2048, memoryMiB: 8192 } as const;

/** Clustering of users too large for one Lambda (docs/scale.md): a Fargate task running the same
 * clustering code (functions/cluster-task/), started by the cluster worker with ecs:RunTask. Public
 * subnets and no NAT gateway: the task only calls DynamoDB and CloudWatch Logs over HTTPS, and a NAT
 * gateway would cost more per month than the task does. */
export class LargeUserClustering extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: LargeUserClusteringProps) {
    super(scope, id);
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    // Reach DynamoDB without the internet path (free gateway endpoint).
    vpc.addGatewayEndpoint('Dynamo', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB });
    const securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      allowAllOutbound: true,
      description: 'Large-user clustering task: outbound HTTPS only, no inbound',
    });
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: CLUSTER_TASK.cpu,
      memoryLimitMiB: CLUSTER_TASK.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const container = this.taskDefinition.addContainer('cluster', {
      image: ecs.ContainerImage.fromAsset(repoRoot, {
        file: 'functions/cluster-task/Dockerfile',
        exclude: ['node_modules', '.cache', 'cdk.out', 'models/*/', '.git', 'test-artifacts', 'rankface-out', 'dist'],
      }),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'cluster', logGroup }),
      environment: props.environment,
      stopTimeout: Duration.seconds(30),
    });

    // The task role: the cluster worker's table rights, nothing else.
    this.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        resources: [props.table.tableArn],
      }),
    );
    this.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${PENDING_INDEX.indexName}`],
      }),
    );
    // people.changed after its run, like the Lambda worker (when the environment names a bus).
    const bus = props.environment[EVENT_BUS_ENV];
    if (bus) events.EventBus.fromEventBusName(this, 'Bus', bus).grantPutEventsTo(this.taskDefinition.taskRole);

    // The worker may start this task on this cluster, and hand it its two roles.
    props.clusterFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    props.clusterFn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.obtainExecutionRole().roleArn],
      }),
    );
    const env: Record<string, string> = {
      [LARGE_USER_ENV.faceLimit]: String(props.faceLimit ?? LARGE_USER_FACES),
      [LARGE_USER_ENV.cluster]: this.cluster.clusterArn,
      [LARGE_USER_ENV.taskDefinition]: this.taskDefinition.taskDefinitionArn,
      [LARGE_USER_ENV.container]: container.containerName,
      [LARGE_USER_ENV.subnets]: vpc.publicSubnets.map((s) => s.subnetId).join(','),
      [LARGE_USER_ENV.securityGroup]: securityGroup.securityGroupId,
    };
    for (const [k, v] of Object.entries(env)) props.clusterFn.addEnvironment(k, v);
  }
}
