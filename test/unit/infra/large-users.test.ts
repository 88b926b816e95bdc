import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LARGE_USER_ENV, LARGE_USER_FACES } from '../../../functions/cluster/large-users.ts';
import { CLUSTER_TASK } from '../../../infra/large-users.ts';
import { RankfaceStack } from '../../../infra/stack.ts';

// The large-user route as synthesised: a Fargate task the cluster worker may start, and nothing more.
describe('large users are clustered on Fargate, started by the cluster worker', () => {
  let t: Template;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    t = Template.fromStack(new RankfaceStack(app, 'Test'));
  }, 120_000);

  it('defines one Fargate task of the documented size, logging to a group that expires', () => {
    const defs = Object.values(t.findResources('AWS::ECS::TaskDefinition'));
    expect(defs).toHaveLength(1);
    const def = defs[0]!.Properties;
    expect(def.RequiresCompatibilities).toEqual(['FARGATE']);
    expect(def.Cpu).toBe(String(CLUSTER_TASK.cpu));
    expect(def.Memory).toBe(String(CLUSTER_TASK.memoryMiB));
    expect(def.ContainerDefinitions[0].LogConfiguration.LogDriver).toBe('awslogs');
    const env = def.ContainerDefinitions[0].Environment as { Name: string }[];
    expect(env.map((e) => e.Name)).toEqual(expect.arrayContaining(['RANKFACE_TABLE', 'RANKFACE_BUCKET']));
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 }); // the stack's default retention
  });

  it('gives the cluster function the task coordinates and the face limit', () => {
    const fns = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('PipelineClusterFn'),
    );
    expect(fns).toHaveLength(1);
    const vars = fns[0]![1].Properties.Environment.Variables as Record<string, unknown>;
    for (const name of [
      LARGE_USER_ENV.cluster,
      LARGE_USER_ENV.taskDefinition,
      LARGE_USER_ENV.container,
      LARGE_USER_ENV.subnets,
      LARGE_USER_ENV.securityGroup,
    ])
      expect(vars[name]).toBeDefined();
    expect(vars[LARGE_USER_ENV.faceLimit]).toBe(String(LARGE_USER_FACES));
  });

  it('lets only the cluster function run the task (on its cluster) and pass its roles', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const withRunTask = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('ecs:RunTask'));
    expect(withRunTask).toHaveLength(1);
    expect(JSON.stringify(withRunTask[0]!.Properties.Roles)).toMatch(/ClusterFn/);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'ecs:RunTask', Condition: { ArnEquals: { 'ecs:cluster': Match.anyValue() } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'iam:PassRole' })]) },
    });
  });

  it('runs the task in public subnets without a NAT gateway, with a DynamoDB gateway endpoint', () => {
    expect(Object.keys(t.findResources('AWS::EC2::NatGateway'))).toHaveLength(0);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
  });
});
