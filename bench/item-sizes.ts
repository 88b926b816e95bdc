/** `tsx bench/item-sizes.ts`: DynamoDB item sizes of one real photo's face and vector items, as the
 * adapter writes them (DynamoDB's size rule: attribute names + values), and the write units of the
 * two items apart vs one item holding both. Answers whether folding the vector into the face item
 * saves write units (only if face + vector fits in 1 KB). */
import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import { readEngineConfig } from '#config/engine.ts';
import { createFaceAnalyzer } from '#core/vision/analyzer.ts';
import { dataPath } from '#test/helpers/data.ts';
import { startLocalAws } from '../scripts/emulators/local-aws.ts';

type Item = Record<string, AttributeValue>;
const valueSize = (v: AttributeValue): number =>
  v.S !== undefined
    ? Buffer.byteLength(v.S)
    : v.N !== undefined
      ? Math.ceil(v.N.replace(/^-|\.|^0+/g, '').length / 2) + 1
      : v.B !== undefined
        ? v.B.length
        : v.BOOL !== undefined
          ? 1
          : (v.SS ?? []).reduce((n, s) => n + Buffer.byteLength(s), 0);
const itemSize = (i: Item): number =>
  Object.entries(i).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueSize(v), 0);

const aws = await startLocalAws({ name: 'item-sizes' });
try {
  const written: Item[] = [];
  const store = new DynamoFaceStore(aws.dynamo, aws.table);
  (aws.dynamo as unknown as { middlewareStack: { add(m: unknown, o: object): void } }).middlewareStack.add(
    (next: (a: { input: Record<string, unknown> }) => Promise<unknown>) =>
      async (args: { input: Record<string, unknown> }) => {
        const req = args.input.RequestItems as Record<string, { PutRequest?: { Item: Item } }[]> | undefined;
        for (const list of Object.values(req ?? {}))
          for (const w of list) if (w.PutRequest) written.push(w.PutRequest.Item);
        return next(args);
      },
    { step: 'initialize', name: 'captureItems' },
  );
  const analyzer = await createFaceAnalyzer(readEngineConfig());
  const photo = await analyzer.analyze(new Uint8Array(readFileSync(dataPath('group', 'bbt', 'bbt1.jpg'))));
  await analyzer.dispose();
  const photoId = 'a'.repeat(24);
  const faces = photo.faces.map((f, i) => ({
    userId: 'user-0123456789abcdef',
    faceId: `${photoId}#${String(i).padStart(3, '0')}`,
    photoId,
    box: f.box,
    score: f.score,
    landmarks: f.landmarks,
    quality: f.quality,
    cropKey: `faces/user-0123456789abcdef/${photoId}/0123abcd.jpg`,
    cropRegion: { x: 0, y: i * 160, width: 160, height: 160, sheetWidth: 160, sheetHeight: 160 * photo.faces.length },
  }));
  await store.replaceFaces('user-0123456789abcdef', photoId, faces);
  await store.putVectors(
    photo.faces.flatMap((f, i) =>
      f.embedding ? [{ ...f.embedding, userId: faces[i]!.userId, faceId: faces[i]!.faceId, photoId }] : [],
    ),
  );
  const sizes = (type: string) => written.filter((i) => i.type?.S === type).map(itemSize);
  const face = sizes('face');
  const vector = sizes('vector');
  const wru = (b: number) => Math.ceil(b / 1024);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const merged = face.map((f, i) => f + (vector[i] ?? 0) - 60); // keys and ids written once
  process.stdout.write(
    [
      `${face.length} faces of bbt1.jpg (${readEngineConfig().embedder}, int8 vectors)`,
      `face item: ${Math.min(...face)}-${Math.max(...face)} B (mean ${mean(face).toFixed(0)}), ${wru(Math.max(...face))} WRU`,
      `vector item: ${Math.min(...vector)}-${Math.max(...vector)} B (mean ${mean(vector).toFixed(0)}), ${wru(Math.max(...vector))} WRU`,
      `apart: ${mean(face.map((f, i) => wru(f) + wru(vector[i]!))).toFixed(2)} WRU per face; one item (shared keys and ids counted once, ~60 B less): ${Math.min(...merged)}-${Math.max(...merged)} B, ${mean(merged.map(wru)).toFixed(2)} WRU per face`,
    ].join('\n') + '\n',
  );
} finally {
  await aws.stop();
}
