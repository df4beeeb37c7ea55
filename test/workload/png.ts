import { PNG } from 'pngjs';

/** A real PNG of the given size (a gradient, so files differ). */
export function makePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[i * 4] = i % 256;
    png.data[i * 4 + 1] = (i * 7) % 256;
    png.data[i * 4 + 2] = 128;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}
