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
		// Share links and files carry untrusted text: no script may run unless it is one of ours.
		// Prerendered pages get the policy as a meta tag, with hashes of SvelteKit's own inline script.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'worker-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		},
		// The page registers the service worker itself (src/lib/views/UpdateNotice.svelte), in
		// production builds only, so it can offer a new version rather than switch under the learner.
		serviceWorker: { register: false },
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
