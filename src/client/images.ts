/**
 * Images as chat content parts. Each file is read and base64-encoded once per process (the older
 * tool re-encoded synchronously on every request, inside the event loop it was timing), and the
 * encoding runs off the hot path on first use.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { ContentPart } from './types.ts';

const cache = new Map<string, Promise<string>>();

const EXT_MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
};

/** MIME type from the file's magic bytes, else from its extension, else null. */
export function imageMime(buf: Uint8Array, path = ''): string | null {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return 'image/png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 6 && buf[0] === 0x47 && buf[1] === 0x49 && buf[2] === 0x46 && buf[3] === 0x38) return 'image/gif';
  if (buf.length >= 12 && Buffer.from(buf.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(buf.subarray(8, 12)).toString('latin1') === 'WEBP') return 'image/webp';
  if (buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d) return 'image/bmp';
  return EXT_MIME[extname(path).toLowerCase()] ?? null;
}

/**
 * `data:<mime>;base64,...` for the image at `path`, read and encoded once (cached by absolute
 * path; concurrent callers share one read). Rejects naming the file when it cannot be read or is
 * not a recognised image.
 */
export function loadImageDataUrl(path: string): Promise<string> {
  const abs = resolve(path);
  let p = cache.get(abs);
  if (!p) {
    p = readFile(abs).then(
      (buf) => {
        const mime = imageMime(buf, abs);
        if (mime === null) throw new Error(`${abs}: not a PNG, JPEG, GIF, WebP or BMP image (by content or extension)`);
        return `data:${mime};base64,${buf.toString('base64')}`;
      },
      (e: NodeJS.ErrnoException) => {
        throw new Error(`${abs}: cannot read the image (${e.code ?? e.message}); check the path in the case or fixtures/ folder`);
      },
    );
    // A failed read is not cached: the file may appear later.
    p.catch(() => cache.delete(abs));
    cache.set(abs, p);
  }
  return p;
}

/** The chat content part for an image URL (`data:` URL or an http(s) URL the server fetches). */
export function imagePart(url: string): ContentPart {
  return { type: 'image_url', image_url: { url } };
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Width and height from the image header (PNG IHDR, JPEG SOF marker, GIF logical screen),
 * without decoding pixels. Null when the format is not recognised or the header is truncated.
 */
export function imageSize(buf: Uint8Array): ImageSize | null {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b.toString('latin1', 1, 4) === 'PNG' && b.toString('latin1', 12, 16) === 'IHDR') {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8') {
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i++; // fill byte
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2; // markers without a length
        continue;
      }
      const len = b.readUInt16BE(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
  }
  return null;
}
