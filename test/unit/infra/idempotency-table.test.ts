import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TABLE, IDEMPOTENCY_TABLE_ENV } from '../../../functions/shared/idempotency-table.ts';
import { RankfaceStack } from '../../../infra/stack.ts';

type Resource = { Properties: Record<string, unknown> };

// The table Powertools' idempotency layer writes to, read from the template: keyed by `id`, expired
// by TTL on `expiration`, on demand; detect, embed and the cluster worker are told its name and may
// get, put, update and delete its items (nothing else: no scan, no other table's items).
describe('the idempotency table', () => {
  let t: Template;
  let tableId: string;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    t = Template.fromStack(new RankfaceStack(app, 'Idem'));
    const tables = t.findResources('AWS::DynamoDB::Table', {
      Properties: { TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE.ttlAttribute, Enabled: true } },
    });
    tableId = Object.keys(tables).find((id) => id.startsWith('StorageIdempotency'))!;
    expect(tableId).toMatch(/^StorageIdempotency/);
  });

  it('is keyed by id, expires records by TTL and bills per request', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE.ttlAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('is named to the queue consumers, and only to them', () => {
    const fns = Object.entries(t.findResources('AWS::Lambda::Function')) as [string, Resource][];
    const told = fns
      .filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes(IDEMPOTENCY_TABLE_ENV))
      .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(told.sort()).toEqual(['PipelineClusterFn', 'PipelineDetectFn', 'PipelineEmbedFn']);
    for (const [, fn] of fns.filter(([id]) => told.some((n) => id.startsWith(n)))) {
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env[IDEMPOTENCY_TABLE_ENV]).toEqual({ Ref: tableId });
    }
  });

  it('lets each consumer get, put, update and delete its records', () => {
    for (const role of ['DetectFnServiceRole', 'EmbedFnServiceRole', 'ClusterFnServiceRole']) {
      const policies = Object.values(
        t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(role) }] } }),
      ) as Resource[];
      const statements = policies.flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Action: string[]; Resource: unknown }[] }).Statement,
      );
      const onTable = statements.filter((s) => JSON.stringify(s.Resource).includes(tableId));
      expect(onTable.flatMap((s) => s.Action).sort(), role).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
    }
  });
});
