import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RankfaceStack } from '../../../infra/stack.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

// S3 answers a GET of a missing key with 404 only to a caller allowed s3:ListBucket on the bucket;
// otherwise with 403, which detect and embed cannot tell from a real denial and retry into the DLQ.
describe('functions that read objects may list the bucket', () => {
  let t: Template;
  beforeAll(() => {
    t = Template.fromStack(new RankfaceStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test'));
  });

  const statementsOf = (fnPrefix: string): Statement[] => {
    const fn = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.includes(fnPrefix));
    if (!fn) throw new Error(`no ${fnPrefix}`);
    const roleRef = (fn[1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    return Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  };

  it.each(['DetectFn', 'EmbedFn'])('%s: s3:GetObject on objects and s3:ListBucket on the bucket itself', (fn) => {
    const statements = statementsOf(fn);
    const actions = (s: Statement): string[] => [s.Action].flat();
    expect(statements.some((s) => actions(s).includes('s3:GetObject'))).toBe(true);
    const list = statements.filter((s) => actions(s).includes('s3:ListBucket'));
    expect(list).toHaveLength(1);
    // The bucket ARN (no /key suffix): ListBucket is a bucket-level action.
    expect(JSON.stringify(list[0]!.Resource)).toMatch(/PhotosBucket|Photos[0-9A-F]{8}/);
    expect(JSON.stringify(list[0]!.Resource)).not.toContain('/');
  });
});
