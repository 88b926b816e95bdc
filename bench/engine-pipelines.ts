/** The pipelines `npm run bench:engine` measures, each run in its own child process (so peak RSS is
 * its own): our default analyzer, MTCNN + dlib, and @vladmandic/face-api's own pipeline. Every
 * pipeline sees the same images; labelled sets also yield the main face's vector (the face nearest
 * the image centre) for verification metrics. */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { type EngineConfig, readEngineConfig } from '#config/engine.ts';
import type { Box, FivePoints } from '#core/types.ts';
import { alignFace } from '#core/vision/align.ts';
import { createFaceAnalyzer, DEFAULT_MAX_SIDE } from '#core/vision/analyzer.ts';
import { decodeImage } from '#core/vision/decode.ts';
import { createEmbedder } from '#core/vision/factory.ts';
import { knownEmbedders } from '#core/vision/registry.ts';
import { initTfjs } from '#core/vision/runtime/tfjs.ts';
import { indexOfFaceNearestCentre } from '#core/vision/select.ts';
import type { Embedder } from '#core/vision/types.ts';
import { l2Normalize } from '#core/vision/vector.ts';
import { type VerificationMetrics, verificationMetrics } from '#core/metrics/verification.ts';
import { dataPath } from '#test/helpers/data.ts';

export const PIPELINES = ['default', 'mtcnn-dlib', 'faceapi'] as const;
export type PipelineName = (typeof PIPELINES)[number];

export interface SetResult {
  readonly images: number;
  readonly faces: number;
  /** Sum over photos of the wall time from bytes to vectors. */
  readonly wallMs: number;
  /** Sum over photos, per stage. */
  readonly stageMs: Record<string, number>;
  /** Labelled sets: photos where no face was found. */
  readonly missed: string[];
  /** Group photos: annotated faces (sum), when the set has annotations. */
  readonly annotatedFaces?: number;
  /** Labelled sets: verification metrics per embedder label. */
  readonly verification: Record<
    string,
    VerificationMetrics & { readonly msPerFace: number | null; readonly faces: number }
  >;
}

export interface PipelineResult {
  readonly pipeline: PipelineName;
  readonly label: string;
  readonly runtime: string;
  readonly peakRssMb: number | null;
  readonly sets: Record<string, SetResult>;
}

export interface Photo {
  readonly file: string;
  readonly identity?: string;
}

/** Photos of a folder-per-identity set, sorted; `limit` keeps the first n. */
export function labelledPhotos(set: string, limit: number): Photo[] {
  const dir = dataPath(set);
  const all = readdirSync(dir)
    .sort()
    .flatMap((id) =>
      readdirSync(join(dir, id))
        .sort()
        .map((f) => ({ file: join(dir, id, f), identity: id })),
    );
  return all.slice(0, limit);
}

interface GroupAnnotation {
  faces?: number | unknown[];
  faces_approx?: number;
  faces_labelled?: number;
}

export function groupPhotos(limit: number): { photos: Photo[]; annotated: number } {
  const ann = JSON.parse(readFileSync(dataPath('group', 'annotations.json'), 'utf8')) as Record<
    string,
    GroupAnnotation
  >;
  const entries = Object.entries(ann).slice(0, limit);
  const count = (a: GroupAnnotation): number =>
    Array.isArray(a.faces)
      ? a.faces.length
      : typeof a.faces === 'number'
        ? a.faces
        : (a.faces_approx ?? a.faces_labelled ?? 0);
  return {
    photos: entries.map(([f]) => ({ file: dataPath('group', f) })),
    annotated: entries.reduce((s, [, a]) => s + count(a), 0),
  };
}

/** One photo through a pipeline: faces (box + optional landmarks), the main face's vectors per
 * embedder label, and stage times. */
interface PhotoOutcome {
  readonly width: number;
  readonly height: number;
  readonly faces: readonly { readonly box: Box; readonly landmarks?: FivePoints }[];
  readonly stageMs: Record<string, number>;
  readonly mainVectors: Record<string, Float32Array>;
  /** Extra embedders (not part of the pipeline's throughput): ms spent on them. */
  readonly extraMs: Record<string, number>;
}

export interface Runner {
  readonly label: string;
  readonly runtime: string;
  run(bytes: Uint8Array, labelled: boolean): Promise<PhotoOutcome>;
  dispose(): Promise<void>;
}

const now = (): number => performance.now();

/** Our analyzer with an engine config; `extras` are embedders evaluated on the same landmarks (their
 * time is kept apart from the pipeline's). */
async function analyzerRunner(
  config: EngineConfig,
  label: string,
  mainLabel: string,
  extras: Record<string, Embedder>,
): Promise<Runner> {
  const analyzer = await createFaceAnalyzer(config);
  const tf = await initTfjs();
  return {
    label,
    runtime: `${config.detector} → ${config.embedder}; tfjs backend ${tf.backend}`,
    async run(bytes, labelled) {
      const photo = await analyzer.analyze(bytes);
      const stageMs: Record<string, number> = {};
      for (const [k, v] of Object.entries(photo.timings)) if (k !== 'total') stageMs[k] = v;
      const mainVectors: Record<string, Float32Array> = {};
      const extraMs: Record<string, number> = {};
      const i = labelled ? indexOfFaceNearestCentre(photo.faces, photo.width, photo.height) : -1;
      if (i >= 0) {
        const face = photo.faces[i]!;
        mainVectors[mainLabel] = face.embedding!.vector;
        const names = Object.keys(extras);
        if (names.length > 0) {
          const decoded = await decodeImage(bytes, {
            maxBytes: config.maxBytes,
            maxPixels: config.maxPixels,
            maxSide: DEFAULT_MAX_SIDE,
          });
          const lm = face.landmarks.map((p) => [p[0] * decoded.scale, p[1] * decoded.scale]) as FivePoints;
          for (const name of names) {
            const t0 = now();
            const e = extras[name]!;
            const [v] = await e.embed([alignFace(decoded.image, lm, e.template).crop]);
            mainVectors[name] = v!.vector;
            extraMs[name] = now() - t0;
          }
        }
      }
      return { width: photo.width, height: photo.height, faces: photo.faces, stageMs, mainVectors, extraMs };
    },
    async dispose() {
      await analyzer.dispose();
      await Promise.all(Object.values(extras).map((e) => e.dispose?.()));
    },
  };
}

interface FaceApiResult {
  detection: { box: { x: number; y: number; width: number; height: number } };
  descriptor: Float32Array;
}
interface FaceApi {
  nets: Record<
    'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet',
    { loadFromDisk(dir: string): Promise<void> }
  >;
  detectAllFaces(input: unknown): { withFaceLandmarks(): { withFaceDescriptors(): Promise<FaceApiResult[]> } };
}

/** @vladmandic/face-api as a Node developer would use it without tfjs-node: its node-wasm build,
 * `detectAllFaces(tensor).withFaceLandmarks().withFaceDescriptors()` with default options
 * (SSD-MobileNetV1, 68 landmarks, dlib ResNet on an unrotated landmark box), models from our
 * models/ folders. Decoding uses sharp, as ours does. */
async function faceApiRunner(modelsDir: string): Promise<Runner> {
  const { tf, backend } = await initTfjs();
  const faceapi = createRequire(import.meta.url)('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(join(modelsDir, 'faceapi-ssd-mobilenetv1'));
  await faceapi.nets.faceLandmark68Net.loadFromDisk(join(modelsDir, 'faceapi-landmark68'));
  await faceapi.nets.faceRecognitionNet.loadFromDisk(join(modelsDir, 'dlib-resnet128'));
  return {
    label: 'face-api (SSD-MobileNetV1 → lm68 → dlib128)',
    runtime: `@vladmandic/face-api node-wasm; tfjs backend ${backend}`,
    async run(bytes, labelled) {
      const t0 = now();
      const { data, info } = await sharp(bytes)
        .rotate()
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const t1 = now();
      const input = tf.tensor3d(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        [info.height, info.width, 3],
        'int32',
      );
      let results: FaceApiResult[];
      try {
        results = await faceapi.detectAllFaces(input).withFaceLandmarks().withFaceDescriptors();
      } finally {
        input.dispose();
      }
      const t2 = now();
      const faces = results.map((r) => ({
        box: [r.detection.box.x, r.detection.box.y, r.detection.box.width, r.detection.box.height] as Box,
      }));
      const mainVectors: Record<string, Float32Array> = {};
      const i = labelled ? indexOfFaceNearestCentre(faces, info.width, info.height) : -1;
      if (i >= 0) mainVectors['face-api dlib128'] = l2Normalize(results[i]!.descriptor);
      return {
        width: info.width,
        height: info.height,
        faces,
        stageMs: { decode: t1 - t0, 'detect+landmarks+embed': t2 - t1 },
        mainVectors,
        extraMs: {},
      };
    },
    async dispose() {
      /* face-api keeps its nets for the process lifetime */
    },
  };
}

export async function createRunner(name: PipelineName): Promise<Runner> {
  const base = readEngineConfig({});
  if (name === 'default') {
    // MobileFaceNet (another helper's TFLite embedder) on the same landmarks, when registered.
    const extras: Record<string, Embedder> = {};
    if (knownEmbedders().includes('mobilefacenet'))
      extras['ULFD+lm68 → mobilefacenet192'] = await createEmbedder('mobilefacenet', { modelsDir: base.modelsDir });
    return analyzerRunner(base, 'default (ULFD → lm68 → arcface512, ORT)', 'ULFD+lm68 → arcface512 (default)', extras);
  }
  if (name === 'mtcnn-dlib') {
    const config = readEngineConfig({ RANKFACE_DETECTOR: 'mtcnn', RANKFACE_EMBEDDER: 'dlib-resnet128' });
    return analyzerRunner(config, 'MTCNN → dlib128 (tfjs)', 'MTCNN → dlib128', {});
  }
  return faceApiRunner(base.modelsDir);
}

const sum = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

export interface SetPlan {
  readonly set: string;
  readonly photos: Photo[];
  readonly annotated?: number;
}

export function benchmarkPlan(limit: number): SetPlan[] {
  const group = groupPhotos(limit);
  return [
    { set: 'lfw-df-dev', photos: labelledPhotos('lfw-df-dev', limit) },
    { set: 'group', photos: group.photos, annotated: group.annotated },
    { set: 'lfw-120', photos: labelledPhotos('lfw-120', limit) },
  ];
}

interface Accumulator {
  stageMs: Record<string, number>;
  extraMs: Record<string, number>;
  vectors: Record<string, { v: Float32Array[]; labels: string[] }>;
  missed: string[];
  faces: number;
  wallMs: number;
}

/** Run every pipeline over the same photos, interleaved photo by photo (the order rotating), so
 * that load from other jobs on the machine hits all pipelines alike and their ratio stays fair. */
export async function runInterleaved(
  runners: Record<string, Runner>,
  plan: readonly SetPlan[],
): Promise<Record<string, Record<string, SetResult>>> {
  const names = Object.keys(runners);
  // Warm-up (first inferences compile kernels and allocate): not counted.
  for (const p of plan[0]!.photos.slice(0, 3))
    for (const n of names) await runners[n]!.run(new Uint8Array(readFileSync(p.file)), true);
  const out: Record<string, Record<string, SetResult>> = Object.fromEntries(names.map((n) => [n, {}]));
  for (const { set, photos, annotated } of plan) {
    const acc: Record<string, Accumulator> = Object.fromEntries(
      names.map((n) => [n, { stageMs: {}, extraMs: {}, vectors: {}, missed: [], faces: 0, wallMs: 0 }]),
    );
    let done = 0;
    for (const [pi, p] of photos.entries()) {
      const bytes = new Uint8Array(readFileSync(p.file));
      const labelled = p.identity !== undefined;
      for (let k = 0; k < names.length; k++) {
        const n = names[(pi + k) % names.length]!;
        const a = acc[n]!;
        const t0 = now();
        const r = await runners[n]!.run(bytes, labelled);
        a.wallMs += now() - t0 - Object.values(r.extraMs).reduce((x, y) => x + y, 0);
        a.faces += r.faces.length;
        sum(a.stageMs, r.stageMs);
        sum(a.extraMs, r.extraMs);
        if (labelled) {
          if (Object.keys(r.mainVectors).length === 0) a.missed.push(p.file.split('/').slice(-2).join('/'));
          for (const [k2, v] of Object.entries(r.mainVectors)) {
            const slot = (a.vectors[k2] ??= { v: [], labels: [] });
            slot.v.push(v);
            slot.labels.push(p.identity!);
          }
        }
      }
      if (++done % 50 === 0) process.stderr.write(`  ${set}: ${done}/${photos.length}\n`);
    }
    for (const n of names) {
      const a = acc[n]!;
      const verification: SetResult['verification'] = {};
      for (const [k, { v, labels }] of Object.entries(a.vectors)) {
        // Time per face of the embedder alone (align + embed for extras; the embed stage for the
        // pipeline's own embedder; not separable inside face-api's chain).
        const msPerFace =
          a.extraMs[k] !== undefined
            ? a.extraMs[k] / v.length
            : a.stageMs.embed !== undefined
              ? a.stageMs.embed / Math.max(1, a.faces)
              : null;
        verification[k] = { ...verificationMetrics(v, labels, 1e-3), msPerFace, faces: v.length };
      }
      out[n]![set] = {
        images: photos.length,
        faces: a.faces,
        wallMs: a.wallMs,
        stageMs: a.stageMs,
        missed: a.missed,
        ...(annotated !== undefined ? { annotatedFaces: annotated } : {}),
        verification,
      };
      process.stderr.write(
        `  ${n} ${set}: ${photos.length} photos, ${a.faces} faces, ${(a.wallMs / photos.length).toFixed(1)} ms/photo\n`,
      );
    }
  }
  return out;
}

/** Peak RSS of one pipeline on its own: load it, run a few LFW photos and every group photo. */
export async function peakRss(name: PipelineName): Promise<number> {
  const runner = await createRunner(name);
  const plan = benchmarkPlan(Infinity);
  for (const p of [...plan[0]!.photos.slice(0, 20), ...plan[1]!.photos])
    await runner.run(new Uint8Array(readFileSync(p.file)), p.identity !== undefined);
  return process.resourceUsage().maxRSS / 1024;
}
