import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendName } from '#core/vision/runtime/types.ts';

/** TensorFlow.js for the models shipped in tfjs format (MTCNN, the dlib ResNet, face-api's nets).
 *
 * Backend choice, once per process: `@tensorflow/tfjs-node` (native TensorFlow, multi-threaded) when
 * it can be imported — it is an optional dependency that only installs where its native binary can
 * be downloaded — else the WebAssembly backend with SIMD. In Node the wasm backend runs
 * single-threaded: its threaded build needs browser workers, and forcing it makes tfjs fall back to
 * the pure-JS CPU backend, which is ~40x slower.
 *
 * TensorFlow.js itself is imported on first use only, never at module load: a bundle (the Lambda
 * functions, which ship only the ONNX models and not tfjs) may contain this module without the
 * package, and a process that runs only ONNX models never pays tfjs's ~1 s start-up. */

type Tf = typeof tfTypes;

export interface TfjsRuntime {
  readonly tf: Tf;
  readonly backend: BackendName;
  readonly version: string;
}

const TFJS = '@tensorflow/tfjs';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';
const TFJS_NODE = '@tensorflow/tfjs-node';
let initialised: Promise<TfjsRuntime> | undefined;

/** Folder of the installed tfjs-backend-wasm's `.wasm` binaries, with a trailing slash (the wasm
 * backend appends the file name to this prefix and, in Node, reads it from disk). */
export function wasmBinariesDir(): string {
  const require = createRequire(import.meta.url);
  // The package's main entry lives in its dist folder, beside the .wasm files.
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

async function tryTfjsNode(tf: Tf): Promise<boolean> {
  try {
    // Variable specifier: the optional package is absent from most installs and must not be
    // resolved at type-check or bundle time.
    const specifier = TFJS_NODE;
    await import(specifier);
    return tf.findBackend('tensorflow') !== null && (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

/** Import a package by a specifier held in a variable: bundlers leave such an import alone, so the
 * package is resolved when (and only when) a tfjs model is chosen. */
const importAtRunTime = <T>(specifier: string): Promise<T> => import(specifier) as Promise<T>;

async function init(): Promise<TfjsRuntime> {
  let tf: Tf;
  try {
    tf = await importAtRunTime<Tf>(TFJS);
  } catch (err) {
    throw new Error(
      `TensorFlow.js (${TFJS}) is not installed in this build, so tfjs models cannot run here (the Lambda bundles ship ONNX models only): ${(err as Error).message}`,
    );
  }
  if (await tryTfjsNode(tf)) {
    await tf.ready();
    return { tf, backend: 'tfjs-node', version: tf.version_core };
  }
  const { setWasmPaths } = await importAtRunTime<typeof import('@tensorflow/tfjs-backend-wasm')>(TFJS_WASM);
  setWasmPaths(wasmBinariesDir());
  if (await tf.setBackend('wasm')) {
    await tf.ready();
    return { tf, backend: 'tfjs-wasm', version: tf.version_core };
  }
  // Last resort (should not happen: the wasm binaries ship in the npm tarball).
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'tfjs-cpu', version: tf.version_core };
}

/** Initialise TensorFlow.js once per process (later calls share the first result). */
export function initTfjs(): Promise<TfjsRuntime> {
  initialised ??= init().catch((err: unknown) => {
    initialised = undefined;
    throw err;
  });
  return initialised;
}

interface WeightsManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly tfTypes.io.WeightsManifestEntry[];
}

/** Load a tfjs weights manifest (`*-weights_manifest.json` + binary shards) from a folder on disk
 * into named tensors: no fetch, no model hub. Quantised weights are dequantised by tfjs. */
export async function loadWeightMap(dir: string, manifestFile: string): Promise<tfTypes.NamedTensorMap> {
  const { tf } = await initTfjs();
  const manifest = JSON.parse(await readFile(join(dir, manifestFile), 'utf8')) as WeightsManifestGroup[];
  const specs: tfTypes.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(await readFile(join(dir, p)));
  }
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    joined.set(b, at);
    at += b.byteLength;
  }
  return tf.io.decodeWeights(joined.buffer, specs);
}
