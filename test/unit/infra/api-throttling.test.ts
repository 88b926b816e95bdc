import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_THROTTLE } from '../../../infra/api.ts';
import { RankfaceStack } from '../../../infra/stack.ts';

type Resource = { Properties: Record<string, unknown> };

// The API's limits, read from the template: a usage plan on the stage with the stage throttle and
// a monthly quota, tighter method throttles on the routes that start work, the description served
// without a token while every other method needs Cognito, and the rights DELETE /me and
// POST /recluster need.
describe('the API stage, throttled', () => {
  let t: Template;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    t = Template.fromStack(new RankfaceStack(app, 'Throttle'));
  });

  it('has a usage plan on the stage with the stage throttle and a monthly quota', () => {
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: API_THROTTLE.stage.rateLimit, BurstLimit: API_THROTTLE.stage.burstLimit },
      Quota: { Limit: API_THROTTLE.monthlyQuota, Period: 'MONTH' },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
  });

  it('throttles the stage and, tighter, the routes that start work', () => {
    const stage = Object.values(t.findResources('AWS::ApiGateway::Stage'))[0] as Resource;
    const settings = stage.Properties.MethodSettings as {
      ResourcePath: string;
      HttpMethod: string;
      ThrottlingRateLimit: number;
      ThrottlingBurstLimit: number;
    }[];
    expect(settings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/*',
        HttpMethod: '*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      }),
    );
    expect(settings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/~1me',
        HttpMethod: 'DELETE',
        ThrottlingRateLimit: 1,
        ThrottlingBurstLimit: 2,
      }),
    );
    expect(settings).toContainEqual(
      expect.objectContaining({ ResourcePath: '/~1recluster', HttpMethod: 'POST', ThrottlingRateLimit: 2 }),
    );
  });

  it('serves GET /openapi.json without a token and every other method through Cognito', () => {
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')) as Resource[];
    const open = methods.filter(
      (m) => m.Properties.HttpMethod !== 'OPTIONS' && m.Properties.AuthorizationType === 'NONE',
    );
    expect(open).toHaveLength(1);
    const guarded = methods.filter(
      (m) => m.Properties.HttpMethod !== 'OPTIONS' && m.Properties.AuthorizationType === 'COGNITO_USER_POOLS',
    );
    expect(guarded.length).toBeGreaterThanOrEqual(14);
  });

  it("lets the API function erase the caller's objects and queue a clustering job", () => {
    const policies = JSON.stringify(
      t.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ApiApiFnServiceRole') }] },
      }),
    );
    expect(policies).toContain('s3:DeleteObject');
    expect(policies).toContain('s3:ListBucket');
    expect(policies).toContain('s3:ListBucketVersions');
    expect(policies).toContain('s3:DeleteObjectVersion');
    expect(policies).toContain('sqs:SendMessage');
  });
});
