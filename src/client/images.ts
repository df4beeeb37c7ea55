/**
 * Images as chat content parts. Each file is read and base64-encoded once per process (the older
 * tool re-encoded synchronously on every request, inside the event loop it was timing), and the
 * encoding runs off the hot path on first use.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { ContentPart } from './types.ts';
import { imageInfo } from '../util/image-header.ts';

const cache = new Map<string, Promise<string>>();

const EXT_MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
};

/** MIME type from the file's header (BMP by its `BM` signature), else from its extension, else null. */
export function imageMime(buf: Uint8Array, path = ''): string | null {
  const info = imageInfo(buf);
  if (info) return info.mime;
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
