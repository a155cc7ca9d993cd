import { chromium } from '@playwright/test';
const mib = Number(process.argv[2] ?? 256);
const views = process.argv[3] !== 'off';
const ctx = await chromium.launchPersistentContext('/tmp/prof7', { executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], viewport: { width: 1280, height: 800 } });
const page = ctx.pages()[0] ?? await ctx.newPage();
await page.addInitScript(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(e.duration); }).observe({ type: 'longtask', buffered: true }); });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
const t0 = Date.now();
await page.goto(`http://127.0.0.1:4173/play?new=big-copy&mib=${mib}${views ? '' : '&views=off'}`);
await page.getByTestId('lab-status').waitFor({ timeout: 120000 });
console.log('shown after', Date.now() - t0, 'ms');
for (;;) {
  await page.waitForTimeout(2000);
  const s = await page.evaluate(() => ({ st: document.querySelector('[data-testid=lab-status]')?.textContent, v: window.snapshotPlayer.lab?.status.maps.VSS?.valid, len: window.snapshotPlayer.length, mem: performance.memory?.usedJSHeapSize / 1e6, lt: window.__lt.length, ltmax: Math.max(0, ...window.__lt) }));
  console.log(Math.round((Date.now() - t0) / 1000), 's', JSON.stringify(s));
  if (s.st?.includes('All 3 steps') || Date.now() - t0 > 240000) break;
}
await page.screenshot({ path: `/tmp/big-${mib}.png` });
await ctx.close();
