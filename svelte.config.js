import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: {
		// The whole app is written with runes; forcing runes mode keeps legacy syntax from creeping in.
		runes: true
	},
	kit: {
		// Every page is prerendered, so the build output is plain files any static host can serve.
		adapter: adapter({ pages: 'build', assets: 'build', precompress: false, strict: true }),
		typescript: {
			// Code outside src/ (worker entry, CLI runner, benchmarks, configs) gets the same strict check.
			config(tsconfig) {
				tsconfig.include.push(
					'../playwright.config.ts',
					'../workers/**/*.ts',
					'../scripts/**/*.ts',
					'../scripts/**/*.mjs',
					'../bench/**/*.ts'
				);
			}
		}
	}
};

export default config;
