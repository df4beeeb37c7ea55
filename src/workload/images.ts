/**
 * Images for VLM workloads. Each file is read and base64-encoded once, asynchronously, when the
 * workload is built (the older tool re-encoded synchronously on every request, inside the event
 * loop that was measuring latency); every request then shares the same prebuilt content part.
 * http(s) URLs are passed through for the server to fetch.
 */
import { readFile as fsReadFile, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ContentPart } from '../client/types.ts';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageInfo {
  format: ImageFormat;
  mime: string;
  /** From the file header; absent for formats whose header is not parsed (WebP). */
  width?: number;
  height?: number;
}

export interface LoadedImage {
  /** File name, or the URL for pass-through images. */
  name: string;
  /** `data:<mime>;base64,...` or the http(s) URL as given. */
  url: string;
  /** Absent for URLs (not fetched here). */
  mime?: string;
  /** Encoded file size in bytes; absent for URLs. */
  bytes?: number;
  width?: number;
  height?: number;
  /** The chat content part, built once and shared by every request that carries this image. */
  part: ContentPart;
}

/**
 * `fixed`: the same image in every request (like vLLM bench's random dataset with `--image-url`);
 * `set`: several images (e.g. of several sizes), used round-robin so every size gets equal samples.
 */
export interface ImageSource {
  mode: 'fixed' | 'set';
  images: readonly LoadedImage[];
}

export interface ImageLoadOptions {
  /** File reader, injectable so tests can count reads. @default fs/promises readFile */
  readFile?: (path: string) => Promise<Uint8Array>;
}

/** @default ['.png', '.jpg', '.jpeg', '.gif', '.webp']: files {@link loadImageFolder} picks up. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.gif', '.webp'];

const u16be = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const u16le = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32be = (b: Uint8Array, o: number): number => u16be(b, o) * 65536 + u16be(b, o + 2);

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
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: u16be(b, o + 5), width: u16be(b, o + 7) };
    o += 2 + u16be(b, o + 2);
  }
  return undefined;
}

/** Format and dimensions from the first bytes of an image file; undefined when not a known format. */
export function imageInfo(b: Uint8Array): ImageInfo | undefined {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    // PNG: the IHDR chunk always comes first.
    return { format: 'png', mime: 'image/png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    return { format: 'jpeg', mime: 'image/jpeg', ...jpegSize(b) };
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
    return { format: 'gif', mime: 'image/gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') {
    return { format: 'webp', mime: 'image/webp' };
  }
  return undefined;
}

/** `640x480`, or `unknown` when the header gave no size: the label reports bucket latency by. */
export function sizeLabel(img: Pick<LoadedImage, 'width' | 'height'>): string {
  return img.width !== undefined && img.height !== undefined ? `${img.width}x${img.height}` : 'unknown';
}

function partFor(url: string): ContentPart {
  return { type: 'image_url', image_url: { url } };
}

/** Load one image: a file path (read and encoded once) or an http(s) URL (passed through). */
export async function loadImage(pathOrUrl: string, opts: ImageLoadOptions = {}): Promise<LoadedImage> {
  if (/^https?:\/\//i.test(pathOrUrl)) return { name: pathOrUrl, url: pathOrUrl, part: partFor(pathOrUrl) };
  const read = opts.readFile ?? fsReadFile;
  let bytes: Uint8Array;
  try {
    bytes = await read(pathOrUrl);
  } catch (err) {
    throw new Error(`cannot read image ${pathOrUrl}: ${(err as Error).message}. Give a PNG/JPEG/GIF/WebP file path or an http(s) URL.`);
  }
  const info = imageInfo(bytes);
  if (!info) throw new Error(`${pathOrUrl} is not a PNG, JPEG, GIF or WebP image (unrecognised header); convert it or remove it from the image folder`);
  const url = `data:${info.mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
  return {
    name: basename(pathOrUrl),
    url,
    mime: info.mime,
    bytes: bytes.byteLength,
    ...(info.width !== undefined ? { width: info.width } : {}),
    ...(info.height !== undefined ? { height: info.height } : {}),
    part: partFor(url),
  };
}

/** Every image file in `dir` (by extension, sorted by name so the order is reproducible). */
export async function loadImageFolder(dir: string, opts: ImageLoadOptions = {}): Promise<LoadedImage[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    throw new Error(`cannot list image folder ${dir}: ${(err as Error).message}`);
  }
  const files = entries.filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new Error(`image folder ${dir} has no ${IMAGE_EXTENSIONS.join('/')} files`);
  return Promise.all(files.map((f) => loadImage(join(dir, f), opts)));
}

/** The same image in every request. */
export async function fixedImage(pathOrUrl: string, opts: ImageLoadOptions = {}): Promise<ImageSource> {
  return { mode: 'fixed', images: [await loadImage(pathOrUrl, opts)] };
}

/** A set of images from a folder, or from a list of paths/URLs. */
export async function imageSet(dirOrPaths: string | string[], opts: ImageLoadOptions = {}): Promise<ImageSource> {
  const images = typeof dirOrPaths === 'string' ? await loadImageFolder(dirOrPaths, opts) : await Promise.all(dirOrPaths.map((p) => loadImage(p, opts)));
  if (images.length === 0) throw new Error('imageSet: no images given');
  return { mode: 'set', images };
}

/** The image for request `i`: round-robin over the set. */
export function pickImage(source: ImageSource, i: number): LoadedImage {
  const img = source.images[i % source.images.length];
  if (!img) throw new Error('pickImage: the image source is empty');
  return img;
}
