import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RankfaceStack } from '../../../infra/stack.ts';
import { buildWeb, webBuildIsStale } from '../../../scripts/build-web.ts';

/** The web app on AWS, read from the synthesised template: a private bucket served only through
 * CloudFront with origin access control, the app's config pointing at the API and the Cognito hosted
 * UI (code flow with PKCE, public client), and the API's CORS limited to the site's origin. */

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe('RankfaceStack web app', () => {
  let t: Template;
  let distributionId = '';
  beforeAll(async () => {
    if (await webBuildIsStale()) await buildWeb();
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    t = Template.fromStack(new RankfaceStack(app, 'Test'));
    distributionId = Object.keys(t.findResources('AWS::CloudFront::Distribution'))[0]!;
  });

  it('serves the site from a private bucket through CloudFront with origin access control, HTTPS only', () => {
    t.resourceCountIs('AWS::CloudFront::Distribution', 1);
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Origins: [
          Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } }),
        ],
      }),
    });
    const buckets = t.findResources('AWS::S3::Bucket') as Resources;
    for (const b of Object.values(buckets)) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.WebsiteConfiguration).toBeUndefined();
    }
    // The site bucket's only reader is this distribution (CloudFront service principal + its ARN).
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('signs in with the hosted UI: authorization code flow, public client, callback on the site', () => {
    t.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const clients = Object.values(t.findResources('AWS::Cognito::UserPoolClient') as Resources).filter((c) =>
      JSON.stringify(c.Properties.CallbackURLs ?? '').includes(distributionId),
    );
    expect(clients).toHaveLength(1);
    const web = clients[0]!.Properties;
    expect(web.AllowedOAuthFlows).toEqual(['code']);
    expect(web.GenerateSecret).toBe(false);
    expect(web.AllowedOAuthFlowsUserPoolClient).toBe(true);
  });

  it('deploys the built app with a config.json naming the API and the sign-in client', () => {
    const deployments = Object.values(t.findResources('Custom::CDKBucketDeployment') as Resources);
    expect(deployments).toHaveLength(1);
    // config.json's tokens: the REST API and its stage (apiBase), the hosted UI domain, the app client.
    const refs = JSON.stringify(deployments[0]!.Properties.SourceMarkers);
    const idOf = (type: string): string[] => Object.keys(t.findResources(type));
    for (const id of [
      ...idOf('AWS::ApiGateway::RestApi'),
      ...idOf('AWS::ApiGateway::Stage'),
      ...idOf('AWS::Cognito::UserPoolDomain'),
    ])
      expect(refs).toContain(`"Ref":"${id}"`);
    const appClient = Object.entries(t.findResources('AWS::Cognito::UserPoolClient') as Resources).find(([, c]) =>
      JSON.stringify(c.Properties.CallbackURLs ?? '').includes(distributionId),
    )!;
    expect(refs).toContain(`"Ref":"${appClient[0]}"`);
    expect(JSON.stringify(deployments[0]!.Properties.DistributionPaths)).toContain('/config.json');
  });

  it('allows browsers to call the API and upload only from the site origin', () => {
    const options = Object.values(t.findResources('AWS::ApiGateway::Method') as Resources).filter(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options.length).toBeGreaterThan(0);
    for (const m of options) {
      const origin = (
        m.Properties.Integration as { IntegrationResponses: { ResponseParameters: Record<string, unknown> }[] }
      ).IntegrationResponses[0]!.ResponseParameters['method.response.header.Access-Control-Allow-Origin'];
      expect(JSON.stringify(origin)).toContain(distributionId);
      expect(origin).not.toBe("'*'");
    }
    const photos = Object.values(t.findResources('AWS::S3::Bucket') as Resources).filter(
      (b) => b.Properties.CorsConfiguration !== undefined,
    );
    expect(JSON.stringify(photos.map((b) => b.Properties.CorsConfiguration))).toContain(distributionId);
  });
});
