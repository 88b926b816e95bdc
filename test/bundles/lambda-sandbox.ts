import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { RankfaceStack } from '../../infra/stack.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

/** One Lambda function of the synthesised stack: its logical id, asset folder and environment. */
export interface BuiltFunction {
  readonly logicalId: string;
  readonly assetDir: string;
  readonly environment: Record<string, unknown>;
  readonly memoryMb: number;
}

interface CfnFunction {
  readonly Type: string;
  readonly Metadata?: Record<string, string>;
  readonly Properties: { Environment?: { Variables?: Record<string, unknown> }; MemorySize?: number; Handler?: string };
}

/** Synthesise the stack with real bundling (local esbuild, no Docker) into `outdir`, as `cdk synth`
 * does, and list the project's functions (CDK's own inline helpers excluded). */
export function synthesise(outdir: string, npmHost: Record<string, string> = {}): BuiltFunction[] {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  // Asset metadata (each function's asset folder) is on for `cdk synth`; a bare App needs it asked for.
  const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new RankfaceStack(app, 'Rankface');
  // npm's platform settings of the machine that synthesises (e.g. a Mac: os darwin, cpu arm64).
  const saved = Object.fromEntries(Object.keys(npmHost).map((k) => [k, process.env[k]]));
  Object.assign(process.env, npmHost);
  let assembly;
  try {
    assembly = app.synth();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
  const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, CfnFunction> };
  return Object.entries(template.Resources)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Metadata?.['aws:asset:path'] &&
        r.Properties.Handler === 'index.handler',
    )
    .map(([logicalId, r]) => ({
      logicalId,
      assetDir: join(outdir, r.Metadata!['aws:asset:path']!),
      environment: r.Properties.Environment?.Variables ?? {},
      memoryMb: r.Properties.MemorySize ?? 128,
    }));
}

/** Bytes under a folder (what Lambda counts against its 250 MB unzipped limit). */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** A stand-in for Lambda's file system: the asset copied to `<root>/var/task`, and only the AWS SDK
 * v3 beside it (the nodejs22.x runtime provides it; the stack marks it external). No project
 * node_modules is an ancestor, so a bare import the asset does not hold fails as on Lambda. */
export function lambdaRoot(fn: BuiltFunction): { root: string; taskRoot: string } {
  const root = mkdtempSync(join(tmpdir(), `lambda-${fn.logicalId}-`));
  const taskRoot = join(root, 'var', 'task');
  mkdirSync(taskRoot, { recursive: true });
  cpSync(fn.assetDir, taskRoot, { recursive: true });
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules', '@aws-sdk'), join(root, 'node_modules', '@aws-sdk'), 'dir');
  if (existsSync(join(tmpdir(), 'node_modules')) || existsSync('/node_modules'))
    throw new Error('a node_modules above the sandbox would hide missing modules');
  return { root, taskRoot };
}

export interface Invocation {
  readonly results: unknown[];
  readonly importMs: number;
  readonly invokeMs: number[];
  readonly stderr: string;
}

/** Invoke a bundle's handler on events in a fresh Node process (a cold start), with the function's
 * environment from the template: references resolved to the emulators' names by `resolveRef`. */
export async function invokeBundle(
  fn: BuiltFunction,
  taskRoot: string,
  events: readonly unknown[],
  resolveRef: (name: string) => string,
): Promise<Invocation> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(fn.environment))
    env[k] = typeof v === 'string' ? v.replace(/^\/var\/task/, taskRoot) : resolveRef(k);
  const eventsFile = join(dirname(taskRoot), `events-${Date.now()}.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  const runner = join(repoRoot, 'test', 'bundles', 'invoke-bundle.mjs');
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_') && !k.startsWith('VITEST') && k !== 'TSX'),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, [runner, taskRoot, eventsFile], {
      cwd: taskRoot,
      env: {
        ...base,
        ...env,
        AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        LAMBDA_TASK_ROOT: taskRoot,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`no result from ${fn.logicalId}: ${stderr.slice(-2000)}`);
    return { ...(JSON.parse(line.slice(7)) as Omit<Invocation, 'stderr'>), stderr };
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${fn.logicalId} failed to load or run: ${e.stderr?.slice(-3000) ?? e.message}`);
  }
}

export const removeRoot = (root: string): void => rmSync(root, { recursive: true, force: true });
