import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from 'vitest';
import { RankfaceStack } from '../../../infra/stack.ts';

// Issue 13 item 2: no write may silently lose an original. The photos bucket is versioned (an
// overwrite or delete keeps the previous version) and noncurrent versions expire after 30 days.
describe('photos bucket versioning', () => {
  let t: Template;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    t = Template.fromStack(new RankfaceStack(app, 'Test'));
  }, 120_000);

  it('versions the photos bucket and expires noncurrent versions after 30 days', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
  });
});
