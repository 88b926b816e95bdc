import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_TABLE, RATE_LIMIT_TABLE_ENV, USER_RATE_LIMIT_ENV } from '../../../functions/api/user-rate-limit.ts';
import { RankfaceStack } from '../../../infra/stack.ts';

type Resource = { Properties: Record<string, unknown> };

const synth = (context: Record<string, unknown> = {}): Template =>
  Template.fromStack(new RankfaceStack(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), 'Rate'));

const apiEnv = (t: Template): Record<string, unknown> => {
  const [, fn] = (Object.entries(t.findResources('AWS::Lambda::Function')) as [string, Resource][]).find(([id]) =>
    id.startsWith('ApiApiFn'),
  )!;
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};

// The per-user limit in the stack: a counter table (TTL, on demand) the API function may only
// update, its name and the limit in the function's environment, the limit set by
// `-c apiUserRequestsPerMinute` (default 600) and a bad value refused at synth.
describe('per-user API throttling in the stack', () => {
  it('gives the API function a counter table it can only update, and the default limit', () => {
    const t = synth();
    const tables = t.findResources('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: RATE_LIMIT_TABLE.partitionKey, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: RATE_LIMIT_TABLE.ttlAttribute, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      },
    });
    const id = Object.keys(tables).find((k) => k.includes('UserRateLimits'));
    expect(id).toMatch(/^ApiUserRateLimits/);
    const env = apiEnv(t);
    expect(env[RATE_LIMIT_TABLE_ENV]).toEqual({ Ref: id });
    expect(env[USER_RATE_LIMIT_ENV]).toBe('600/60');
    const policies = JSON.stringify(
      t.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ApiApiFnServiceRole') }] },
      }),
    );
    expect(policies).toContain(
      `{"Action":"dynamodb:UpdateItem","Effect":"Allow","Resource":[{"Fn::GetAtt":["${id}","Arn"]}`,
    );
  });

  it('takes the limit from the context and refuses a bad one', () => {
    expect(apiEnv(synth({ apiUserRequestsPerMinute: 120 }))[USER_RATE_LIMIT_ENV]).toBe('120/60');
    expect(() => synth({ apiUserRequestsPerMinute: 0 })).toThrow(/apiUserRequestsPerMinute 0/);
  });
});
