import { defineConfig } from '@playwright/test';

const PORT = 4173;
// BASE_URL points the tests at a server already running (a dev server while working on a view).
const external = process.env.BASE_URL || undefined;
const baseURL = external ?? `http://127.0.0.1:${PORT}`;

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.test.ts',
	// Playwright empties its output folder on every run; a subfolder keeps the vitest report and
	// the tests' own screenshots in test-results/ intact.
	outputDir: 'test-results/playwright',
	fullyParallel: true,
	forbidOnly: !!process.env.CI,
	workers: 2,
	// One retry in CI: two browsers share two cores there, and a test that passes on retry is
	// reported as flaky in the JSON report rather than hidden.
	retries: process.env.CI ? 1 : 0,
	reporter: 'list',
	use: {
		baseURL,
		// Step forward and Step back go one event at a time in these tests (the learner's default
		// is key moments); a test of key moments chooses them.
		storageState: { cookies: [], origins: [{ origin: baseURL, localStorage: [{ name: 'snapshot-lab:detail', value: 'every' }] }] },
		screenshot: 'only-on-failure',
		trace: 'off'
	},
	projects: [
		{
			name: 'chromium',
			use: {
				browserName: 'chromium',
				// Debian's Chromium is used instead of Playwright's download, which this environment cannot fetch.
				launchOptions: {
					executablePath: '/usr/bin/chromium',
					args: [
						'--no-sandbox',
						'--disable-gpu',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync'
					]
				}
			}
		}
	],
	webServer: external
		? undefined
		: {
		// scripts/test.mjs builds first; the server only serves that build.
		command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
		url: baseURL,
		reuseExistingServer: !process.env.CI,
		timeout: 60_000,
		stdout: 'ignore',
		stderr: 'pipe'
	}
});
