/** The cost benchmark's emulators in a process of their own. s3rver runs in the process that
 * starts it: in the benchmark's process its work (serving every photo GET, storing every crop PUT)
 * was counted as the handlers' CPU time, and so priced as Lambda time. Here the benchmark forks
 * this module, which starts the emulators, hands back the environment that points at them, and
 * forwards s3rver's object events. */
import { fork, type ChildProcess } from 'node:child_process';
import type { S3Event } from 'aws-lambda';
import { startLocalAws } from '../../scripts/emulators/local-aws.ts';

type HostMessage =
  { kind: 'ready'; env: Record<string, string>; bucket: string } | { kind: 's3-event'; event: S3Event };

export interface EmulatorHost {
  readonly bucket: string;
  onS3Event(listener: (e: S3Event) => void): void;
  stop(): Promise<void>;
}

/** Fork the emulators and point this process's environment at them (as `startLocalAws` does). */
export async function startEmulatorHost(name: string): Promise<EmulatorHost> {
  const child: ChildProcess = fork(import.meta.filename, ['--host', name], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listeners: ((e: S3Event) => void)[] = [];
  const bucket = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator host exited (${code}) before it was ready`)));
    child.on('message', (m: HostMessage) => {
      if (m.kind === 's3-event') listeners.forEach((l) => l(m.event));
      else {
        Object.assign(process.env, m.env);
        resolve(m.bucket);
      }
    });
  });
  return {
    bucket,
    onS3Event: (l) => listeners.push(l),
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function host(name: string): Promise<void> {
  const before = { ...process.env };
  const aws = await startLocalAws({ name });
  aws.onS3Event((event) => process.send!({ kind: 's3-event', event } satisfies HostMessage));
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && before[e[0]] !== e[1]),
  );
  process.send!({ kind: 'ready', env, bucket: aws.bucket } satisfies HostMessage);
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    await aws.stop();
    process.exit(0);
  });
  // The benchmark died without a stop: do not outlive it.
  process.on('disconnect', () => void aws.stop().finally(() => process.exit(0)));
}

if (process.argv[2] === '--host') await host(process.argv[3] ?? 'bench');
