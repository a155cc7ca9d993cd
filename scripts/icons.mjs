#!/usr/bin/env node
// Renders the app's PNG icons from static/favicon.svg with Debian's Chromium (the one the browser
// tests use), at exact sizes:
//   static/icons/icon-192.png, icon-512.png   purpose "any": the mark alone, transparent around it
//   static/icons/maskable-512.png             purpose "maskable": the mark inside the safe zone
//                                            (a circle of 40% of the size round the centre) on a
//                                            full-bleed background, so any mask shape keeps it whole
//   static/icons/apple-touch-icon.png         180×180, opaque (iOS fills transparency with black)
// Run it again after changing favicon.svg:  node scripts/icons.mjs
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(root, 'static/favicon.svg'), 'utf8');
const out = join(root, 'static/icons');
mkdirSync(out, { recursive: true });

/** The palette's light background (--bg), behind the opaque icons. */
const BACKGROUND = '#f6f7f9';

/**
 * @typedef {object} Icon
 * @property {string} file
 * @property {number} size   width and height in pixels
 * @property {number} mark   the mark's width and height as a part of the size
 * @property {string | null} background   null for transparent
 */

/** @type {Icon[]} */
const ICONS = [
	{ file: 'icon-192.png', size: 192, mark: 0.94, background: null },
	{ file: 'icon-512.png', size: 512, mark: 0.94, background: null },
	// The mark's drawing reaches about half of its box from the centre (a rim of the disks), so a
	// box of 0.74 keeps every drawn pixel within 0.4 of the size, the safe zone (checked below).
	{ file: 'maskable-512.png', size: 512, mark: 0.74, background: BACKGROUND },
	{ file: 'apple-touch-icon.png', size: 180, mark: 0.8, background: BACKGROUND }
];

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
});
try {
	for (const icon of ICONS) {
		const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size }, deviceScaleFactor: 1 });
		const box = Math.round(icon.size * icon.mark);
		await page.setContent(
			`<!doctype html><html><body style="margin:0;width:${icon.size}px;height:${icon.size}px;display:grid;place-items:center;background:${icon.background ?? 'transparent'}">` +
				`<div style="width:${box}px;height:${box}px">${svg.replace('<svg ', `<svg width="${box}" height="${box}" `)}</div></body></html>`
		);
		const path = join(out, icon.file);
		await page.screenshot({ path, omitBackground: icon.background === null, clip: { x: 0, y: 0, width: icon.size, height: icon.size } });
		if (icon.file.startsWith('maskable')) {
			// Every pixel that differs from the background lies inside the safe zone.
			const worst = await page.evaluate(async (size) => {
				const canvas = document.createElement('canvas');
				canvas.width = canvas.height = size;
				const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
				const img = new Image();
				img.src = 'data:image/svg+xml;base64,' + btoa(/** @type {SVGSVGElement} */ (document.querySelector('svg')).outerHTML);
				await img.decode();
				const r = /** @type {DOMRect} */ (document.querySelector('svg')?.getBoundingClientRect());
				ctx.drawImage(img, r.x, r.y, r.width, r.height);
				const data = ctx.getImageData(0, 0, size, size).data;
				let far = 0;
				for (let y = 0; y < size; y++)
					for (let x = 0; x < size; x++)
						if (data[(y * size + x) * 4 + 3] > 0) far = Math.max(far, Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2));
				return far / size;
			}, icon.size);
			if (worst > 0.4) throw new Error(`${icon.file}: the mark reaches ${worst.toFixed(3)} of the size from the centre, outside the safe zone (0.4)`);
			console.log(`${icon.file}: the mark reaches ${worst.toFixed(3)} of the size from the centre (safe zone 0.4)`);
		}
		console.log(`wrote static/icons/${icon.file} (${icon.size}×${icon.size})`);
		await page.close();
	}
} finally {
	await browser.close();
}
