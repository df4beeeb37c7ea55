import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, test } from 'vitest';
import { imageMime, imagePart, loadImageDataUrl } from '../../src/client/images.ts';

const dir = mkdtempSync(join(tmpdir(), 'client-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function png(width: number, height: number): Buffer {
  const p = new PNG({ width, height });
  p.data.fill(128);
  return PNG.sync.write(p);
}

/** A minimal JPEG header: SOI, an APP0 segment, then SOF0 with the frame size. */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

describe('images', () => {
  test('mime from magic bytes wins over a wrong extension', () => {
    expect(imageMime(png(1, 1), 'x.jpg')).toBe('image/png');
    expect(imageMime(jpegHeader(1, 1), 'x.png')).toBe('image/jpeg');
    expect(imageMime(Buffer.from('????'), 'x.webp')).toBe('image/webp');
  });

  test('loadImageDataUrl encodes once and serves later calls from the cache', async () => {
    const f = join(dir, 'a.png');
    const bytes = png(4, 4);
    writeFileSync(f, bytes);
    const [a, b] = await Promise.all([loadImageDataUrl(f), loadImageDataUrl(f)]);
    expect(a).toBe(`data:image/png;base64,${bytes.toString('base64')}`);
    expect(b).toBe(a);
    // Overwriting the file does not change the cached encoding: it was read once.
    writeFileSync(f, png(8, 8));
    expect(await loadImageDataUrl(f)).toBe(a);
    expect(imagePart(a)).toEqual({ type: 'image_url', image_url: { url: a } });
  });

  test('a missing or non-image file rejects naming the file', async () => {
    await expect(loadImageDataUrl(join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: cannot read/);
    const t = join(dir, 'notes.txt');
    writeFileSync(t, 'hello');
    await expect(loadImageDataUrl(t)).rejects.toThrow(/notes\.txt: not a PNG/);
  });
});
