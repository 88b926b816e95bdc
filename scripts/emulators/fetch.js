#!/usr/bin/env node
// Fetch DynamoDB Local for the integration tests: the jar ships inside the npm tarball
// amplify-dynamodb-simulator@2.9.30. We `npm pack` it (never install it: its dependencies weigh
// ~350 MB), verify the registry integrity, and extract only the jar and its native libs into
// .cache/dynamodb-local/. Idempotent: a complete extraction is left alone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const INTEGRITY = 'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, '.cache', 'dynamodb-local');
const stamp = join(target, '.integrity');

if (
  existsSync(stamp) &&
  readFileSync(stamp, 'utf8').trim() === INTEGRITY &&
  existsSync(join(target, 'DynamoDBLocal.jar'))
) {
  console.log(`emulators: DynamoDB Local already in ${target}`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'rankface-ddb-'));
try {
  const out = execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', work], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [info] = JSON.parse(out);
  const tarball = join(work, info.filename);
  const actual = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
  if (actual !== INTEGRITY) throw new Error(`integrity mismatch for ${PACKAGE}: expected ${INTEGRITY}, got ${actual}`);

  const extract = join(work, 'x');
  mkdirSync(extract);
  execFileSync(
    'tar',
    ['-xzf', tarball, '-C', extract, 'package/emulator/DynamoDBLocal.jar', 'package/emulator/DynamoDBLocal_lib'],
    { stdio: 'inherit' },
  );
  // Replace atomically-ish: extract aside, then swap, so an interrupted run never looks complete.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(join(extract, 'package', 'emulator'), target);
  writeFileSync(stamp, INTEGRITY + '\n');
  console.log(`emulators: DynamoDB Local (${PACKAGE}) verified and extracted to ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
