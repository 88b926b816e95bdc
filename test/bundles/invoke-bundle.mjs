// Loads one built Lambda bundle the way the Node.js runtime does (an ES module import of
// <task root>/index.mjs, nothing on the path but what the asset holds) and invokes its handler on
// each event of a JSON file in turn, in one process (a cold start, then warm invocations).
// Prints one `RESULT <json>` line: the handler results and the import / first-invocation times.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [taskRoot, eventsFile] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const context = (i) => ({
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bundle-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bundle-test'}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024',
  awsRequestId: `req-${process.pid}-${i}`,
  logGroupName: '/aws/lambda/bundle-test',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done() {},
  fail() {},
  succeed() {},
});

const t0 = performance.now();
const mod = await import(pathToFileURL(join(taskRoot, 'index.mjs')).href);
const importMs = performance.now() - t0;
const results = [];
const invokeMs = [];
for (const [i, event] of events.entries()) {
  const t = performance.now();
  results.push(await mod.handler(event, context(i)));
  invokeMs.push(performance.now() - t);
}
process.stdout.write(`RESULT ${JSON.stringify({ results, importMs, invokeMs })}\n`);
