import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from './png.ts';
import { imageInfo } from '../../src/util/image-header.ts';
import { fixedImage, imageSet, loadImage, pickImage, sizeLabel } from '../../src/workload/images.ts';

/** The header of a baseline JPEG: SOI, an APP0 segment, then SOF0 with the size. */
function jpegHeader(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

describe('image headers', () => {
  it('reads PNG and JPEG sizes and rejects other bytes', () => {
    expect(imageInfo(makePng(37, 11))).toEqual({ format: 'png', mime: 'image/png', width: 37, height: 11 });
    expect(imageInfo(jpegHeader(1920, 1080))).toEqual({ format: 'jpeg', mime: 'image/jpeg', width: 1920, height: 1080 });
    expect(imageInfo(Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00]))).toMatchObject({ format: 'gif', width: 320, height: 240 });
    expect(imageInfo(new TextEncoder().encode('not an image at all'))).toBeUndefined();
  });
});

describe('image sources', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'workload-img-'));
    await writeFile(join(dir, 'a-small.png'), makePng(16, 16));
    await writeFile(join(dir, 'b-wide.png'), makePng(64, 24));
    await writeFile(join(dir, 'c-photo.jpg'), jpegHeader(800, 600));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('encodes a fixed image once as a PNG data URL with its size', async () => {
    const reads: string[] = [];
    const src = await fixedImage(join(dir, 'b-wide.png'), { readFile: async (p) => (reads.push(p), readFile(p)) });
    const img = pickImage(src, 0);
    expect(reads).toEqual([join(dir, 'b-wide.png')]);
    expect(img.url).toBe(`data:image/png;base64,${(await readFile(join(dir, 'b-wide.png'))).toString('base64')}`);
    expect(img.part).toEqual({ type: 'image_url', image_url: { url: img.url } });
    expect(sizeLabel(img)).toBe('64x24');
    // Every request gets the very same prebuilt part.
    expect(pickImage(src, 5).part).toBe(img.part);
  });

  it('loads a folder of several sizes in name order, round-robin', async () => {
    const reads: string[] = [];
    const src = await imageSet(dir, { readFile: async (p) => (reads.push(p), readFile(p)) });
    expect(src.mode).toBe('set');
    expect(src.images.map((i) => [i.name, sizeLabel(i), i.mime])).toEqual([
      ['a-small.png', '16x16', 'image/png'],
      ['b-wide.png', '64x24', 'image/png'],
      ['c-photo.jpg', '800x600', 'image/jpeg'],
    ]);
    expect([0, 1, 2, 3, 4].map((i) => pickImage(src, i).name)).toEqual(['a-small.png', 'b-wide.png', 'c-photo.jpg', 'a-small.png', 'b-wide.png']);
    expect(reads).toHaveLength(3);
  });

  it('passes http(s) URLs through without reading anything', async () => {
    const img = await loadImage('https://example.com/cat.png', { readFile: () => Promise.reject(new Error('must not read')) });
    expect(img.part).toEqual({ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } });
    expect(sizeLabel(img)).toBe('unknown');
  });

  it('names the file in errors', async () => {
    await expect(loadImage(join(dir, 'notes.txt'))).rejects.toThrow(/notes\.txt is not a PNG, JPEG/);
    await expect(loadImage(join(dir, 'missing.png'))).rejects.toThrow(/cannot read image .*missing\.png/);
    await expect(imageSet(join(dir, 'nope'))).rejects.toThrow(/cannot list image folder .*nope/);
  });
});
