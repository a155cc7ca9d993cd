import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	// The engine worker is an ES module, so it can share chunks with the page.
	worker: { format: 'es' },
	// The worker entry lives outside src/; the dev server must be allowed to serve it.
	server: { fs: { allow: ['workers'] } },
	test: {
		// tests/e2e holds Playwright specs; they need a browser and must never run under vitest.
		include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
		environment: 'node'
	}
});
