/** Measuring a pipeline stage for the cost benchmark: CPU time of this process (the handler; the
 * DynamoDB emulator is another process), wall time, peak RSS, and the DynamoDB capacity units and
 * S3 requests the stage asked for, as the emulators report them. */
import type { DynamoFaceStore } from '#adapters/aws/dynamo-face-store.ts';
import type { S3BlobStore } from '#adapters/aws/s3-blob-store.ts';
import type { Logger } from '#core/ports/logger.ts';

export interface StageMeasure {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly wru: number;
  readonly rru: number;
  readonly s3Put: number;
  readonly s3Get: number;
  readonly s3PutBytes: number;
  readonly ddbRequests: number;
  readonly logBytes: number;
  /** Write units by DynamoDB command (BatchWriteItem, UpdateItem...): where the writes go. */
  readonly wruByCommand: Readonly<Record<string, number>>;
}

export class RequestCounter {
  wru = 0;
  rru = 0;
  s3Put = 0;
  s3Get = 0;
  s3PutBytes = 0;
  ddbRequests = 0;
  logBytes = 0;
  wruByCommand: Record<string, number> = {};
  reset(): void {
    this.wru = this.rru = this.s3Put = this.s3Get = this.s3PutBytes = this.ddbRequests = this.logBytes = 0;
    this.wruByCommand = {};
  }
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
interface MiddlewareClient {
  middlewareStack: { add(m: (next: Handler, ctx: { commandName: string }) => Handler, o: object): void };
}

/** Count what the adapters ask of DynamoDB and S3. Their SDK clients are private: reached only here. */
export function countRequests(faces: DynamoFaceStore, blobs: S3BlobStore, counter: RequestCounter): void {
  const db = (faces as unknown as { db: MiddlewareClient }).db;
  db.middlewareStack.add(
    (next, ctx) => async (args) => {
      args.input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      counter.ddbRequests++;
      const reads = /^(Get|Query|Scan|BatchGet)/.test(ctx.commandName);
      const consumed = [
        (out.output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined) ?? [],
      ].flat();
      for (const c of consumed) {
        if (reads) counter.rru += c.CapacityUnits ?? 0;
        else {
          counter.wru += c.CapacityUnits ?? 0;
          const name = ctx.commandName.replace(/Command$/, '');
          counter.wruByCommand[name] = (counter.wruByCommand[name] ?? 0) + (c.CapacityUnits ?? 0);
        }
      }
      return out;
    },
    { step: 'initialize', name: 'benchCountCapacity' },
  );
  const s3 = (blobs as unknown as { s3: MiddlewareClient }).s3;
  s3.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (/Get|Head/.test(ctx.commandName)) counter.s3Get++;
      else {
        counter.s3Put++;
        const body = args.input.Body as Uint8Array | undefined;
        counter.s3PutBytes += body?.byteLength ?? 0;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountRequests' },
  );
}

/** A logger that writes nothing but counts the bytes the Lambda JSON logger would send to
 * CloudWatch Logs. */
export function countingLogger(counter: RequestCounter, base: Record<string, unknown>): Logger {
  const emit = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    counter.logBytes +=
      JSON.stringify({ level, message, ...base, ...fields, time: new Date().toISOString() }).length + 1;
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export async function measureStage(counter: RequestCounter, run: () => Promise<unknown>): Promise<StageMeasure> {
  counter.reset();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20,
    wru: counter.wru,
    rru: counter.rru,
    s3Put: counter.s3Put,
    s3Get: counter.s3Get,
    s3PutBytes: counter.s3PutBytes,
    ddbRequests: counter.ddbRequests,
    logBytes: counter.logBytes,
    wruByCommand: { ...counter.wruByCommand },
  };
}
