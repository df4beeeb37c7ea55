/**
 * Format and pixel size of an image from its first bytes, without decoding it: PNG (IHDR), JPEG
 * (the first start-of-frame marker), GIF (logical screen) and WebP (format only). The workload
 * labels images by size, the client picks the data URL's MIME type, and the simulator counts
 * image tokens from the size: all read headers here.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageInfo {
  format: ImageFormat;
  mime: string;
  /** From the file header; absent for WebP (not parsed) and for a JPEG without a frame header. */
  width?: number;
  height?: number;
}

const u16be = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const u16le = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32be = (b: Uint8Array, o: number): number => u16be(b, o) * 65536 + u16be(b, o + 2);
const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));

function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  // Walk the marker segments to the first start-of-frame; its payload holds height then width.
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return undefined;
    const marker = b[o + 1] ?? 0;
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2; // markers without a length
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: u16be(b, o + 5), width: u16be(b, o + 7) };
    o += 2 + u16be(b, o + 2);
  }
  return undefined;
}

/** Format and dimensions from the first bytes of an image file; undefined when not a known format. */
export function imageInfo(b: Uint8Array): ImageInfo | undefined {
  if (b.length >= 24 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && ascii(b, 12, 16) === 'IHDR') {
    return { format: 'png', mime: 'image/png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    return { format: 'jpeg', mime: 'image/jpeg', ...jpegSize(b) };
  }
  if (b.length >= 10 && ascii(b, 0, 4) === 'GIF8') {
    return { format: 'gif', mime: 'image/gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') {
    return { format: 'webp', mime: 'image/webp' };
  }
  return undefined;
}
