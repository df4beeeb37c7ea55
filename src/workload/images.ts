/**
 * Images for VLM workloads. Each file is read and base64-encoded once, asynchronously, when the
 * workload is built (the older tool re-encoded synchronously on every request, inside the event
 * loop that was measuring latency); every request then shares the same prebuilt content part.
 * http(s) URLs are passed through for the server to fetch.
 */
import { readFile as fsReadFile, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { imagePart } from '../client/images.ts';
import type { ContentPart } from '../client/types.ts';
import { imageInfo } from '../util/image-header.ts';

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

/** `640x480`, or `unknown` when the header gave no size: the label reports bucket latency by. */
export function sizeLabel(img: Pick<LoadedImage, 'width' | 'height'>): string {
  return img.width !== undefined && img.height !== undefined ? `${img.width}x${img.height}` : 'unknown';
}

/** Load one image: a file path (read and encoded once) or an http(s) URL (passed through). */
export async function loadImage(pathOrUrl: string, opts: ImageLoadOptions = {}): Promise<LoadedImage> {
  if (/^https?:\/\//i.test(pathOrUrl)) return { name: pathOrUrl, url: pathOrUrl, part: imagePart(pathOrUrl) };
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
    part: imagePart(url),
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
