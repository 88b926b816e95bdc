import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineConfig } from '#core/vision/engine-config.ts';
import type { FaceVector, RgbImage } from '#core/types.ts';
import type { AnalyzeOptions, AnalyzerOptions, FaceAnalyzer } from '#core/vision/analyzer.ts';
import { RankfaceError } from '#core/errors.ts';
import { ImageDecodeError, type ImageDecodeErrorCode } from '#core/vision/decode.ts';
import {
  transferablesOf,
  type SerializedError,
  type WorkerInit,
  type WorkerRequest,
  type WorkerResponse,
} from '#core/vision/pool-protocol.ts';
import type { AlignmentTemplate, AnalyzedPhoto } from '#core/vision/types.ts';

/** A worker_threads pool of analyzers (one per core) for many photos. Each worker builds its own
 * analyzer; photo bytes go in, analysed photos come back with their pixel and vector buffers
 * transferred. A failure comes back as a rejected promise with the worker's typed error (decode
 * errors stay ImageDecodeError); a worker that dies is replaced and only its task fails. */

export interface AnalyzerPoolOptions {
  /** Number of workers (default: available cores). */
  readonly size?: number;
  /** Analyzer options for every worker (threads default to 1 per worker). */
  readonly analyzer?: AnalyzerOptions;
}

/** Error from a worker that is not a decode error; keeps the original name and code. */
export class PoolTaskError extends RankfaceError {
  constructor(name: string, message: string, code: string) {
    super(code, message);
    // The worker's class name, not this one: callers and logs see what actually failed there.
    this.name = name;
  }
}

function reviveError(e: SerializedError): Error {
  if (e.name === 'ImageDecodeError' && e.code) return new ImageDecodeError(e.code as ImageDecodeErrorCode, e.message);
  return new PoolTaskError(e.name, e.message, e.code ?? 'internal');
}

interface Pending {
  readonly request: WorkerRequest;
  readonly transfer: ArrayBuffer[];
  resolve(value: AnalyzedPhoto | FaceVector[]): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  busy?: Pending;
}

/** Workers are TypeScript. A tiny eval bootstrap registers tsx's loader inside the worker, then
 * imports the worker module: this works the same under vitest, `node bin/rankface.js` and plain
 * `node --import tsx`, on Node 20 and 22, from any working directory (paths are absolute).
 * Resolved lazily, so bundles that never start a pool (Lambda) do not need tsx. In the prebuilt
 * CLI (scripts/build-cli.js) this module is itself JavaScript and the worker is the bundle's
 * `pool-worker.js` entry beside it: no loader. */
let bootstrapCode: string | undefined;
function workerBootstrap(): string {
  if (!bootstrapCode && import.meta.url.endsWith('.js')) {
    bootstrapCode = `import(${JSON.stringify(new URL('./pool-worker.js', import.meta.url).href)});`;
  }
  if (!bootstrapCode) {
    const workerUrl = new URL('./pool-worker.ts', import.meta.url);
    const tsxApi = pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    bootstrapCode = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  }
  return bootstrapCode;
}

export class AnalyzerPool implements FaceAnalyzer {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  detectorId = '';
  embedderId = '';
  embedderVersion = '';
  embedderDim = 0;
  template: AlignmentTemplate = { size: 0, points: [] };

  private constructor(private readonly init: WorkerInit) {}

  static async create(config: EngineConfig, options: AnalyzerPoolOptions = {}): Promise<AnalyzerPool> {
    const pool = new AnalyzerPool({ config, analyzer: options.analyzer ?? {} });
    const size = Math.max(1, options.size ?? availableParallelism());
    try {
      await Promise.all(Array.from({ length: size }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Start one worker and wait for its analyzer to load. */
  private spawn(): Promise<Slot> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerBootstrap(), { eval: true, workerData: this.init });
      const slot: Slot = { worker };
      let ready = false;
      worker.on('message', (msg: WorkerResponse) => {
        if (msg.kind === 'ready') {
          ready = true;
          Object.assign(this, {
            detectorId: msg.detectorId,
            embedderId: msg.embedderId,
            embedderVersion: msg.embedderVersion,
            embedderDim: msg.embedderDim,
            template: msg.template,
          });
          this.slots.push(slot);
          resolve(slot);
          this.pump();
        } else if (msg.kind === 'init-failed') {
          reject(reviveError(msg.error));
        } else {
          const task = slot.busy;
          slot.busy = undefined;
          if (task) {
            if (msg.kind === 'failed') task.reject(reviveError(msg.error));
            else if (msg.kind === 'analyzed') task.resolve(msg.photo);
            else task.resolve(msg.vectors);
          }
          this.pump();
        }
      });
      const onDeath = (err: Error): void => {
        if (!ready) {
          reject(err);
          return;
        }
        const task = slot.busy;
        slot.busy = undefined;
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        task?.reject(new PoolTaskError('WorkerDied', `analyzer worker died: ${err.message}`, 'worker-died'));
        if (!this.closed) {
          this.spawn().catch((e: unknown) => {
            // Cannot replace the worker: fail waiting tasks if no worker is left.
            if (this.slots.length === 0)
              for (const p of this.queue.splice(0)) p.reject(e instanceof Error ? e : new Error(String(e)));
          });
        }
      };
      worker.on('error', onDeath);
      worker.on('exit', (code) => {
        if (!this.closed && (slot.busy || !ready || this.slots.includes(slot))) onDeath(new Error(`exit code ${code}`));
      });
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const task = this.queue.shift();
      if (!task) return;
      slot.busy = task;
      slot.worker.postMessage(task.request, task.transfer);
    }
  }

  private submit<T extends AnalyzedPhoto | FaceVector[]>(request: WorkerRequest, transfer: ArrayBuffer[]): Promise<T> {
    if (this.closed) return Promise.reject(new PoolTaskError('PoolClosed', 'analyzer pool is closed', 'pool-closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, transfer, resolve: resolve as (v: AnalyzedPhoto | FaceVector[]) => void, reject });
      this.pump();
    });
  }

  /** Analyse one photo in a worker. The bytes are copied, so the caller keeps its buffer. */
  analyze(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<AnalyzedPhoto> {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return this.submit<AnalyzedPhoto>({ id: this.nextId++, kind: 'analyze', bytes: copy, options }, [copy.buffer]);
  }

  embedCrops(crops: readonly RgbImage[]): Promise<FaceVector[]> {
    const copies = crops.map((c) => ({ width: c.width, height: c.height, data: new Uint8Array(c.data) }));
    return this.submit<FaceVector[]>({ id: this.nextId++, kind: 'embed', crops: copies }, transferablesOf(copies));
  }

  async close(): Promise<void> {
    this.closed = true;
    const closedError = (): PoolTaskError => new PoolTaskError('PoolClosed', 'analyzer pool is closed', 'pool-closed');
    for (const p of this.queue.splice(0)) p.reject(closedError());
    for (const s of this.slots) s.busy?.reject(closedError());
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  dispose(): Promise<void> {
    return this.close();
  }
}

export function createAnalyzerPool(config: EngineConfig, options: AnalyzerPoolOptions = {}): Promise<AnalyzerPool> {
  return AnalyzerPool.create(config, options);
}
