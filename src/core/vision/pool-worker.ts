import { parentPort, workerData } from 'node:worker_threads';
import { createFaceAnalyzer, type FaceAnalyzer } from '#core/vision/analyzer.ts';
import {
  serializeError,
  transferablesOf,
  type WorkerInit,
  type WorkerRequest,
  type WorkerResponse,
} from '#core/vision/pool-protocol.ts';

/** One analyzer per worker thread, one inference thread each (the pool already fills the cores). */
const port = parentPort;
if (!port) throw new Error('pool-worker must run in a worker thread');
const init = workerData as WorkerInit;
const post = (msg: WorkerResponse, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

let analyzer: FaceAnalyzer;
try {
  analyzer = await createFaceAnalyzer(init.config, { ...init.analyzer, threads: init.analyzer.threads ?? 1 });
  post({
    kind: 'ready',
    embedderId: analyzer.embedderId,
    embedderVersion: analyzer.embedderVersion,
    embedderDim: analyzer.embedderDim,
    detectorId: analyzer.detectorId,
    template: analyzer.template,
  });
} catch (err) {
  post({ kind: 'init-failed', error: serializeError(err) });
  process.exit(1);
}

port.on('message', (req: WorkerRequest) => {
  void (async () => {
    try {
      if (req.kind === 'analyze') {
        const photo = await analyzer.analyze(req.bytes, req.options);
        post({ id: req.id, kind: 'analyzed', photo }, transferablesOf(photo));
      } else {
        const vectors = await analyzer.embedCrops(req.crops);
        post({ id: req.id, kind: 'embedded', vectors }, transferablesOf(vectors));
      }
    } catch (err) {
      post({ id: req.id, kind: 'failed', error: serializeError(err) });
    }
  })();
});
