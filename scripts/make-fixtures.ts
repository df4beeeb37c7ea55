/**
 * Generates the demo golden set's images into fixtures/images/ (and the legacy demo's image into
 * fixtures/legacy-demo/): small grayscale PNGs of receipts, an invoice, a bar chart, a sign and a
 * chat screenshot, with text drawn from the 5x7 bitmap font below. Every name, company and amount
 * is invented. Deterministic: re-running produces byte-identical files.
 *
 *   npx tsx scripts/make-fixtures.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 5x7 glyphs, 7 rows of 5 columns, `#` = ink. ¥ is a Y with two bars. */
const FONT: Record<string, string> = {
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#', B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.', D: '####.|#...#|#...#|#...#|#...#|#...#|####.',
  E: '#####|#....|#....|####.|#....|#....|#####', F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.###.', H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '.###.|..#..|..#..|..#..|..#..|..#..|.###.', J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#', L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#', N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.', P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#', R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.', T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.', V: '#...#|#...#|#...#|#...#|#...#|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.', X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..', Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  '0': '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.', '1': '..#..|.##..|..#..|..#..|..#..|..#..|.###.',
  '2': '.###.|#...#|....#|...#.|..#..|.#...|#####', '3': '#####|...#.|..#..|...#.|....#|#...#|.###.',
  '4': '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.', '5': '#####|#....|####.|....#|....#|#...#|.###.',
  '6': '..##.|.#...|#....|####.|#...#|#...#|.###.', '7': '#####|....#|...#.|..#..|.#...|.#...|.#...',
  '8': '.###.|#...#|#...#|.###.|#...#|#...#|.###.', '9': '.###.|#...#|#...#|.####|....#|...#.|.##..',
  '¥': '#...#|.#.#.|..#..|#####|..#..|#####|..#..', $: '..#..|.####|#.#..|.###.|..#.#|####.|..#..',
  '.': '.....|.....|.....|.....|.....|.##..|.##..', ',': '.....|.....|.....|.....|.##..|..#..|.#...',
  ':': '.....|.##..|.##..|.....|.##..|.##..|.....', '-': '.....|.....|.....|#####|.....|.....|.....',
  '/': '....#|....#|...#.|..#..|.#...|#....|#....', '#': '.#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.',
  '%': '##..#|##..#|...#.|..#..|.#...|#..##|#..##', ' ': '.....|.....|.....|.....|.....|.....|.....',
};

class Canvas {
  readonly png: PNG;
  constructor(readonly width: number, readonly height: number) {
    this.png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
    this.png.data = Buffer.alloc(width * height, 255);
  }
  rect(x: number, y: number, w: number, h: number, shade = 0): void {
    for (let j = Math.max(0, y); j < Math.min(this.height, y + h); j++) {
      for (let i = Math.max(0, x); i < Math.min(this.width, x + w); i++) this.png.data[j * this.width + i] = shade;
    }
  }
  /** Draw text at scale `s` (each font pixel is s x s); returns the x after the text. */
  text(x: number, y: number, text: string, s = 2): number {
    for (const ch of text.toUpperCase()) {
      const glyph = FONT[ch];
      if (!glyph) throw new Error(`scripts/make-fixtures.ts: no glyph for ${JSON.stringify(ch)}; add it to FONT`);
      glyph.split('|').forEach((row, gy) => {
        [...row].forEach((px, gx) => px === '#' && this.rect(x + gx * s, y + gy * s, s, s));
      });
      x += 6 * s;
    }
    return x;
  }
  save(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    // Grayscale, maximum compression: a few KB per image.
    writeFileSync(path, PNG.sync.write(this.png, { colorType: 0, inputColorType: 0, deflateLevel: 9 } as never));
    console.log(`wrote ${path.slice(ROOT.length + 1)}`);
  }
}

/** A document of text lines, one per 22 px at scale 2, with a border. */
function lines(path: string, rows: string[], width = 300): void {
  const c = new Canvas(width, 24 + rows.length * 22);
  c.rect(0, 0, width, 2);
  c.rect(0, c.height - 2, width, 2);
  c.rect(0, 0, 2, c.height);
  c.rect(width - 2, 0, 2, c.height);
  rows.forEach((r, i) => c.text(12, 12 + i * 22, r));
  c.save(path);
}

const images = join(ROOT, 'fixtures', 'images');

// The 120/1200 trap: the total is 120 yuan; a model that drifts a digit says 1200.
lines(join(images, 'receipt-noodles.png'), ['NOODLE HOUSE', '2 BEEF NOODLES 90', '1 TEA        30', '-----------------', 'TOTAL  ¥120', 'PAID CASH']);
// Its mirror: 1200 yuan, so answering 120 (or 12000) is wrong too.
lines(join(images, 'receipt-desk.png'), ['PINE FURNITURE', '1 OAK DESK ¥1,200', '-----------------', 'TOTAL  ¥1,200', 'PAID CARD']);
lines(join(images, 'invoice-acme.png'), ['INVOICE INV-0042', 'FROM: ACME TRADING', 'TO: BLUE RIVER LTD', 'DUE: 2024-05-31', 'AMOUNT: USD 1,200.00'], 320);
lines(join(images, 'sign-parking.png'), ['NO PARKING', '8 - 18 MON-FRI', 'TOW AWAY ZONE'], 220);
lines(join(images, 'chat-transfer.png'), ['ALICE: SENT YOU ¥1200', 'ME: RECEIVED, THANKS', 'ALICE: RECONCILED,', 'BALANCE DIFF ¥1200'], 300);
lines(join(ROOT, 'fixtures', 'legacy-demo', 'chat_01_transfer_1200.png'), ['ALICE: TRANSFER ¥1200', 'ME: RECEIVED', 'RECONCILIATION DONE', 'BALANCE DIFF 1200'], 300);

// A bar chart: quarterly sales, Q3 highest at 80.
{
  const c = new Canvas(260, 200);
  c.text(10, 8, 'SALES 2024');
  const bars: Array<[string, number]> = [['Q1', 40], ['Q2', 65], ['Q3', 80], ['Q4', 55]];
  c.rect(20, 170, 230, 2);
  bars.forEach(([label, v], i) => {
    const x = 30 + i * 56;
    c.rect(x, 170 - v * 1.5, 30, v * 1.5, 90);
    c.text(x + 2, 176, label);
    c.text(x + 2, 170 - v * 1.5 - 18, String(v));
  });
  c.save(join(images, 'chart-sales.png'));
}
