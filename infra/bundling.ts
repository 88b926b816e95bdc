import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Models each ML function ships (copied from models/ at bundling, read from /var/task/models). */
export const SHIPPED_MODELS = ['ulfd-rfb320', 'faceplugin-landmark68', 'faceplugin-arcface512'] as const;

/** Keep only linux-x64 binaries of the native modules: onnxruntime-node carries every platform
 * (~290 MB; ~45 MB for linux-x64), far over Lambda's 250 MB unzipped limit otherwise. */
const pruneCommands = (out: string): string[] => [
  `if [ -d "${out}/node_modules/onnxruntime-node/bin" ]; then find "${out}/node_modules/onnxruntime-node/bin" -mindepth 2 -maxdepth 2 -type d ! -path '*/linux' -exec rm -rf {} +; find "${out}/node_modules/onnxruntime-node/bin" -mindepth 3 -maxdepth 3 -type d ! -path '*/linux/x64' -exec rm -rf {} +; fi`,
  `if [ -d "${out}/node_modules/@img" ]; then find "${out}/node_modules/@img" -mindepth 1 -maxdepth 1 -type d -name 'sharp-*' ! -name '*-linux-x64' -exec rm -rf {} +; fi`,
  `if [ -d "${out}/node_modules/usearch/prebuilds" ]; then find "${out}/node_modules/usearch/prebuilds" -mindepth 1 -maxdepth 1 -type d ! -name 'linux-x64*' -exec rm -rf {} +; fi`,
];

const copyModels = (out: string): string[] => [
  `mkdir -p "${out}/models"`,
  `cp "${repoRoot}/models/manifest.json" "${out}/models/"`,
  ...SHIPPED_MODELS.map((m) => `cp -R "${repoRoot}/models/${m}" "${out}/models/${m}"`),
];

/** The Lambda platform (x86_64 Amazon Linux, glibc), as npm's platform overrides: optional
 * dependencies with `os`/`cpu`/`libc` fields (sharp's @img/sharp-linux-x64) install for it
 * whatever machine runs `cdk synth`. */
export const LAMBDA_PLATFORM = { npm_config_os: 'linux', npm_config_cpu: 'x64', npm_config_libc: 'glibc' } as const;

export interface FunctionKind {
  /** Native modules installed beside the bundle (never bundled by esbuild). */
  readonly nodeModules: readonly string[];
  readonly models: boolean;
}

/** Operational settings every function shares, from the stack's context. */
export interface FunctionSettings {
  readonly logRetention: logs.RetentionDays;
  /** X-Ray tracing (Powertools tracer). */
  readonly tracing: boolean;
}

export interface FunctionSpec {
  readonly entry: string;
  readonly kind: FunctionKind;
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly settings: FunctionSettings;
}

/** Powertools reads its settings from the environment: one service name per function, one
 * metrics namespace for the app, and the tracer's switches. Responses are not recorded in traces
 * (they hold user data and can be megabytes, past X-Ray's 64 KB segment limit); errors are. */
export const powertoolsEnvironment = (service: string, tracing = true): Record<string, string> => ({
  POWERTOOLS_SERVICE_NAME: service,
  POWERTOOLS_METRICS_NAMESPACE: 'Rankface',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_TRACE_ENABLED: String(tracing),
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  POWERTOOLS_TRACER_CAPTURE_ERROR: 'true',
});

/** NodejsFunction settings shared by every function: Node 22 on x86_64 (ML binaries), ESM bundle by
 * the local esbuild (never Docker), AWS SDK from the runtime, a log group with a retention, and
 * Powertools' environment. `name` is the function's construct id (e.g. DetectFn). */
export function functionProps(scope: Construct, name: string, spec: FunctionSpec): NodejsFunctionProps {
  const { kind, settings } = spec;
  const logGroup = new logs.LogGroup(scope, `${name}Logs`, {
    retention: settings.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const service = `rankface-${name.replace(/Fn$/, '').toLowerCase()}`;
  const bundling: BundlingOptions = {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: false,
    // Error names come from their class (RankfaceError): keep class names through the bundle.
    keepNames: true,
    sourceMap: true,
    // ESM bundles still meet CommonJS dependencies that call require().
    banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    externalModules: ['@aws-sdk/*', '@tensorflow/*', '@tensorflow/tfjs-node', ...kind.nodeModules],
    nodeModules: [...kind.nodeModules],
    // The install step of nodeModules resolves from the npm cache filled by `npm ci`. It installs
    // the TARGET's native binaries, not the build machine's: on macOS or arm64, npm would pick
    // sharp's darwin/arm64 package (which the prune step then removes, leaving none for Lambda).
    environment: {
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      ...LAMBDA_PLATFORM,
    },
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_input: string, out: string) => [...pruneCommands(out), ...(kind.models ? copyModels(out) : [])],
    },
  };
  return {
    entry: join(repoRoot, spec.entry),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.X86_64,
    memorySize: spec.memoryMb,
    timeout: spec.timeout,
    logGroup,
    tracing: settings.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      ...powertoolsEnvironment(service, settings.tracing),
      ...spec.environment,
    },
    bundling,
    depsLockFilePath: join(repoRoot, 'package-lock.json'),
    projectRoot: repoRoot,
  };
}
