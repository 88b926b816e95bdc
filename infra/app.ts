import { App } from 'aws-cdk-lib';
import { RankfaceStack } from './stack.ts';

// Env-agnostic stack (no lookups), so `cdk synth` needs no AWS account and no network.
const app = new App();
new RankfaceStack(app, app.node.tryGetContext('stackName') ?? 'Rankface', {
  description: 'rankface: photos → faces → people (detect, embed, cluster, API)',
});
app.synth();
