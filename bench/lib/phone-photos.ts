/** Phone-size test photos for the cost benchmark: 12 MP JPEG re-encodings of real photos, so that
 * decode and detection times are those of what phones upload, not of 250 px LFW thumbnails. Made
 * once and cached under .cache/phone-photos/ (derived data, never committed). */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '#test/helpers/data.ts';

const PIXELS = 12e6;
const cacheDir = join(repoRoot, '.cache', 'phone-photos');

export interface PhoneSizePhoto {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Upscale to ~12 MP at the source's aspect ratio, JPEG quality 90 with 4:2:0 chroma (what phone
 * cameras write). */
async function reencode(source: string): Promise<Buffer> {
  const meta = await sharp(source).metadata();
  const scale = Math.sqrt(PIXELS / ((meta.width ?? 1) * (meta.height ?? 1)));
  return sharp(source)
    .rotate()
    .resize(Math.round((meta.width ?? 1) * scale), Math.round((meta.height ?? 1) * scale), { kernel: 'lanczos3' })
    .jpeg({ quality: 90, chromaSubsampling: '4:2:0' })
    .toBuffer();
}

/** The first photo of up to `groups` group-photo folders (several faces each) and `singles`
 * single-person LFW photos, all at 12 MP. */
export async function phoneSizePhotos(dataDir: string, groups: number, singles: number): Promise<PhoneSizePhoto[]> {
  mkdirSync(cacheDir, { recursive: true });
  const groupDir = join(dataDir, 'group');
  const groupPhotos = readdirSync(groupDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .slice(0, groups)
    .map((d) => {
      const f = readdirSync(join(groupDir, d)).sort()[0]!;
      return { name: `group-${d}-${f}`, path: join(groupDir, d, f) };
    });
  const lfwDir = join(dataDir, 'lfw-120');
  const lfw = readdirSync(lfwDir)
    .sort()
    .slice(0, singles)
    .map((id) => ({
      name: `lfw-${readdirSync(join(lfwDir, id)).sort()[0]!}`,
      path: join(lfwDir, id, readdirSync(join(lfwDir, id)).sort()[0]!),
    }));
  const out: PhoneSizePhoto[] = [];
  for (const { name, path } of [...groupPhotos, ...lfw]) {
    const cached = join(cacheDir, name.replace(/\.[a-z]+$/i, '') + '.jpg');
    if (!existsSync(cached)) writeFileSync(cached, await reencode(path));
    const bytes = readFileSync(cached);
    const meta = await sharp(bytes).metadata();
    out.push({
      name,
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      width: meta.width ?? 0,
      height: meta.height ?? 0,
    });
  }
  return out;
}
