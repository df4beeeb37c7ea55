/**
 * Image token accounting like Qwen2/2.5-VL: the image is resized so each side is a multiple of
 * patch_size * merge_size and its area lies within [min_pixels, max_pixels] ("smart_resize"), then
 * every (patch*merge)^2 pixel cell is one LLM token. Only the header is read for the size: PNG
 * IHDR or a JPEG SOF marker.
 */
import { imageInfo } from '../util/image-header.ts';
import type { SimModelConfig } from './config.ts';

export interface ImageSize {
  width: number;
  height: number;
}

/** Width and height from a PNG or JPEG header, or an Error saying what the bytes are. */
export function imageSize(buf: Uint8Array): ImageSize {
  const info = imageInfo(buf);
  if (info?.format === 'png') return { width: info.width!, height: info.height! };
  if (info?.format === 'jpeg') {
    if (info.width === undefined || info.height === undefined) throw new Error('JPEG image has no frame header (SOF) in its bytes');
    return { width: info.width, height: info.height };
  }
  throw new Error('image is neither PNG nor JPEG (only their headers are understood by the simulator)');
}

// Python's round() rounds halves to even; Qwen's processor uses it.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** LLM tokens for an image of this size (the image pads only; the template adds 2 delimiters). */
export function imageTokens(size: ImageSize, cfg: SimModelConfig['image']): number {
  const factor = cfg.patch_size * cfg.merge_size;
  const { width: w, height: h } = size;
  if (!(w > 0 && h > 0)) throw new Error(`image has an invalid size ${w}x${h}`);
  let hBar = Math.max(factor, roundHalfEven(h / factor) * factor);
  let wBar = Math.max(factor, roundHalfEven(w / factor) * factor);
  if (hBar * wBar > cfg.max_pixels) {
    const beta = Math.sqrt((h * w) / cfg.max_pixels);
    hBar = Math.max(factor, Math.floor(h / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(w / beta / factor) * factor);
  } else if (hBar * wBar < cfg.min_pixels) {
    const beta = Math.sqrt(cfg.min_pixels / (h * w));
    hBar = Math.ceil((h * beta) / factor) * factor;
    wBar = Math.ceil((w * beta) / factor) * factor;
  }
  return (hBar / factor) * (wBar / factor);
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Size of the image behind an `image_url`: a base64 data URL is decoded; an http URL is fetched
 * only from this machine (the simulator must not reach the network); any other URL must carry a
 * size hint fragment `#<width>x<height>`.
 */
export async function resolveImageSize(url: string, signal?: AbortSignal): Promise<ImageSize> {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    if (comma < 0 || !url.slice(0, comma).endsWith(';base64')) throw new Error('image data URL must be base64 (data:image/png;base64,...)');
    return imageSize(Buffer.from(url.slice(comma + 1), 'base64'));
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`image_url "${url.slice(0, 80)}" is neither a data URL nor a valid URL`);
  }
  const hint = /^#(\d+)x(\d+)$/.exec(parsed.hash);
  if (hint) return { width: Number(hint[1]), height: Number(hint[2]) };
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && LOCAL_HOSTS.has(parsed.hostname)) {
    const res = await fetch(parsed, signal ? { signal } : {});
    if (!res.ok) throw new Error(`fetching image ${parsed.href} gave HTTP ${res.status}`);
    return imageSize(Buffer.from(await res.arrayBuffer()));
  }
  throw new Error(
    `the simulator fetches images only from 127.0.0.1/localhost, not ${parsed.host}; send a data URL or add a size hint like #640x480 to the URL`,
  );
}
