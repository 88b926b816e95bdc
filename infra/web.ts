import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { repoRoot } from './bundling.ts';

/** The People web app as a static site: a private S3 bucket read only by CloudFront (origin access
 * control; no public access, no website endpoint), HTTPS only, security headers. `config.json` tells
 * the app the API URL and how to sign in: the Cognito hosted UI, authorization code flow with PKCE
 * (a public client, no secret in the browser). The site's origin is what the API's CORS allows.
 * Two steps, because the API's CORS needs the site's origin and the app's config needs the API:
 * `new WebSite(...)` before the API, `site.deployApp(...)` after it. */

export const WEB_DIST = join(repoRoot, 'dist', 'web');

export interface WebAppProps {
  readonly api: apigw.RestApi;
  readonly userPool: cognito.IUserPool;
  /** `METHOD /resource` of every API route, so the app knows which views it can offer. */
  readonly routes: readonly string[];
  /** Globally unique prefix of the hosted UI's domain (`<prefix>.auth.<region>.amazoncognito.com`). */
  readonly domainPrefix: string;
}

export class WebSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<id>.cloudfront.net`: the one origin the API accepts from browsers. */
  readonly origin: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Kept on stack deletion like the other buckets (emptying it would need another helper function).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'rankface People web app',
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }

  /** Uploads the built app and its config.json, and creates the sign-in client and hosted UI domain. */
  deployApp(props: WebAppProps): cognito.UserPoolClient {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error(`web app not built: run \`npm run build:web\` (expected ${WEB_DIST})`);
    const scope = Stack.of(this);
    const domain = new cognito.UserPoolDomain(this, 'HostedUi', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });
    const client = new cognito.UserPoolClient(this, 'AppClient', {
      userPool: props.userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${this.origin}/`],
        logoutUrls: [`${this.origin}/`],
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
    });
    new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(WEB_DIST),
        s3deploy.Source.jsonData('config.json', {
          apiBase: props.api.url.replace(/\/$/, ''),
          auth: { kind: 'cognito', domain: domain.baseUrl(), clientId: client.userPoolClientId },
          routes: props.routes,
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json', '/app.js', '/app.css'],
      prune: true,
    });
    new CfnOutput(scope, 'WebUrl', { value: `${this.origin}/`, description: 'The People web app' });
    new CfnOutput(scope, 'WebClientId', { value: client.userPoolClientId });
    return client;
  }
}
