/**
 * Image inputs add image tokens computed from the image's pixel size (Qwen-VL smart_resize, one
 * token per 28x28 cell by default): the simulator reads PNG and JPEG headers from data URLs, and
 * rejects bytes that are neither.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimConfig } from '../../src/sim/config.ts';
import { imageTokens } from '../../src/sim/images.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { post } from './http.ts';

const sim = parseSimConfig({ seed: 1 }, 'test');

function pngUrl(width: number, height: number): string {
  const p = new PNG({ width, height });
  p.data.fill(200);
  return `data:image/png;base64,${PNG.sync.write(p).toString('base64')}`;
}

/** A JPEG with just enough header (SOI, APP0, SOF0) to carry its frame size. */
function jpegUrl(width: number, height: number): string {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 255, width >> 8, width & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return `data:image/jpeg;base64,${Buffer.from([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]).toString('base64')}`;
}

describe('image tokens', () => {
  it('follow Qwen-VL smart_resize: one token per 28x28 cell, small images scaled up', () => {
    expect(imageTokens({ width: 56, height: 56 }, sim.image)).toBe(4);
    expect(imageTokens({ width: 280, height: 280 }, sim.image)).toBe(100);
    // 1080 -> 1092 (39 cells), 1920 -> 1932 (69 cells).
    expect(imageTokens({ width: 1920, height: 1080 }, sim.image)).toBe(39 * 69);
    expect(imageTokens({ width: 10, height: 10 }, sim.image)).toBe(4);
  });

  describe('through the server', () => {
    let s: SimServer;
    beforeAll(async () => {
      s = await startSimServer({ servedName: 'sim/img', maxModelLen: 16384, sim });
    });
    afterAll(() => s.close());

    const count = async (url: string): Promise<{ status: number; count?: number; message?: string }> => {
      const messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }, { type: 'text', text: 'What is this?' }] }];
      const r = await post(s.url.replace('/v1', '/tokenize'), { model: 'sim/img', messages });
      const body = JSON.parse(r.body) as { count?: number; error?: { message: string } };
      return { status: r.status, ...(body.count !== undefined ? { count: body.count } : {}), ...(body.error ? { message: body.error.message } : {}) };
    };

    it('read the pixel size from PNG and JPEG headers in data URLs', async () => {
      const small = await count(pngUrl(56, 56));
      expect(small.status).toBe(200);
      expect((await count(pngUrl(280, 280))).count! - small.count!).toBe(100 - 4);
      expect((await count(jpegUrl(1920, 1080))).count! - small.count!).toBe(39 * 69 - 4);
    });

    it('reject bytes that are neither PNG nor JPEG with a 400 saying so', async () => {
      const r = await count(`data:image/png;base64,${Buffer.from('not an image at all').toString('base64')}`);
      expect(r.status).toBe(400);
      expect(r.message).toContain('neither PNG nor JPEG');
    });
  });
});
