/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Snapshot Lab offline: the whole build of one version — pages, scripts (the engine worker
// included), styles and static files — is cached when the service worker installs, and served
// from that cache from then on, with or without a network. A new build has a new `version`, so a
// new service worker with a cache of its own; it waits until the learner chooses "Reload"
// (src/lib/views/UpdateNotice.svelte), and deletes every older cache once it takes over.
import { build, files, prerendered, version } from '$service-worker';
import { cacheKeyOf, isUpdateMessage, precacheList } from './lib/client/offline';

const sw = self as unknown as ServiceWorkerGlobalScope;

/** One cache per build: a stale build's files are never served by a newer worker. */
const CACHE = `snapshot-lab-${version}`;
const ASSETS = precacheList(build, files, prerendered);
const PRECACHED = new Set(ASSETS);

/** A response a navigation can be answered with: a redirected one cannot (the browser refuses it). */
async function storable(response: Response): Promise<Response> {
	if (!response.redirected) return response;
	return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers: response.headers });
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			// Every file must be here, or this version is not installed at all (the old one stays).
			await Promise.all(
				ASSETS.map(async (path) => {
					const response = await fetch(new Request(path, { cache: 'reload' }));
					if (!response.ok) throw new Error(`${path}: ${response.status}`);
					await cache.put(path, await storable(response));
				})
			);
		})()
	);
	// No skipWaiting here: a new version waits for the learner to choose to reload.
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE && key.startsWith('snapshot-lab-')) await caches.delete(key);
		})()
	);
});

sw.addEventListener('message', (event) => {
	if (isUpdateMessage(event.data)) void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET' || request.headers.has('range')) return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	const key = cacheKeyOf(url.pathname, PRECACHED);
	if (key === null) return;
	event.respondWith(
		(async () => {
			const cache = await caches.open(CACHE);
			// A page is one file whatever its query (`/play?scenario=…` is `/play`).
			const hit = await cache.match(key);
			if (hit) return hit;
			// Not cached (the install failed part-way, or the cache was evicted): the network, kept for next time.
			const response = await storable(await fetch(request));
			if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
			return response;
		})()
	);
});
