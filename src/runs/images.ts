/** Images the latency dimension sends to a VLM: one fixed image from fixtures/images (encoded once). */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fixedImage, IMAGE_EXTENSIONS, type ImageSource } from '../workload/images.ts';

let cached: Promise<ImageSource> | undefined;

export function fixtureImage(dir = resolve(process.cwd(), 'fixtures/images')): Promise<ImageSource> {
  if (!cached) {
    const files = readdirSync(dir)
      .filter((f) => IMAGE_EXTENSIONS.some((ext) => f.toLowerCase().endsWith(ext)))
      .sort();
    if (!files.length) throw new Error(`No image in ${dir}: run "npm run fixtures" to generate the demo images.`);
    cached = fixedImage(join(dir, files[0]!));
  }
  return cached;
}
