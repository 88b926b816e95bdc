import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
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

export interface FunctionKind {
  /** Native modules installed beside the bundle (never bundled by esbuild). */
  readonly nodeModules: readonly string[];
  readonly models: boolean;
}

/** NodejsFunction settings shared by every function: Node 22 on x86_64 (ML binaries), ESM bundle by
 * the local esbuild (never Docker), AWS SDK from the runtime. */
export function functionProps(entry: string, kind: FunctionKind, memoryMb: number, timeout: Duration, environment: Record<string, string>): NodejsFunctionProps {
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
    // The install step of nodeModules resolves from the npm cache filled by `npm ci`.
    environment: { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_input: string, out: string) => [...pruneCommands(out), ...(kind.models ? copyModels(out) : [])],
    },
  };
  return {
    entry: join(repoRoot, entry),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.X86_64,
    memorySize: memoryMb,
    timeout,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
    bundling,
    depsLockFilePath: join(repoRoot, 'package-lock.json'),
    projectRoot: repoRoot,
  };
}
