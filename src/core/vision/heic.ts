/** HEIC detection, apart from the decoder (sharp) so the API can use the message without loading
 * a native module. */

/** HEIC brands of an ISO-BMFF `ftyp` box (major or compatible): iPhone photos. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);

export function isHeic(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 16 || Buffer.from(bytes.subarray(4, 8)).toString('latin1') !== 'ftyp') return false;
  const boxSize = Math.min(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0), bytes.byteLength, 256);
  const brands = [8, ...Array.from({ length: Math.max(0, (boxSize - 16) / 4) }, (_, i) => 16 + 4 * i)];
  return brands.some((at) => HEIC_BRANDS.has(Buffer.from(bytes.subarray(at, at + 4)).toString('latin1')));
}

export const HEIC_UNSUPPORTED =
  'HEIC (HEVC-coded) photos cannot be decoded here: upload JPEG instead (on an iPhone: Settings → Camera → Formats → Most Compatible, or share/export as JPEG)';
