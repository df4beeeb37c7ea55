import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildResults } from '../../src/report/build.ts';
import { writeReports } from '../../src/report/write.ts';
import { BASELINE, CANDIDATE, modelTests, XSS } from './fixtures.ts';
import { tempRoot } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

const title = hasChromium
  ? 'renders every chart from disk with no console errors'
  : `renders every chart from disk (skipped: ${CHROMIUM} not found; install it with apt-get install -y chromium)`;

describe('report.html in headless Chromium', () => {
  it.skipIf(!hasChromium)(title, async () => {
    const root = tempRoot();
    const runDir = join(root, 'reports', 'html');
    const tests = [...modelTests(BASELINE), ...modelTests({ ...CANDIDATE, answer: XSS })];
    await writeReports(runDir, buildResults({ runId: 'html', tests, root }));

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`); // the XSS payload must never run
        void d.dismiss();
      });
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(join(runDir, 'report.html')).href);
      await page.waitForFunction("document.querySelectorAll('figure[data-chart] .chart svg').length === 6", undefined, { timeout: 15_000 });
      const charts = await page.$$eval('figure[data-chart] .chart svg', (svgs) =>
        svgs.map((s) => ({ marks: s.querySelectorAll('path, rect, line').length, w: s.getBoundingClientRect().width })),
      );
      expect(charts).toHaveLength(6);
      for (const c of charts) {
        expect(c.marks).toBeGreaterThan(10);
        expect(c.w).toBeGreaterThan(200);
      }
      // The untrusted answer shows as text, not markup.
      expect(await page.locator('td', { hasText: '<script>alert(1)</script>' }).count()).toBeGreaterThan(0);
      const shot = join(runDir, 'report-screenshot.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
