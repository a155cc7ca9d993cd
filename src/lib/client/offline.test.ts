import { describe, expect, it } from 'vitest';
import { applyUpdate, cacheKeyOf, isUpdateMessage, precacheList, SKIP_WAITING, watchForUpdate, type Container, type Installing, type Registration } from './offline';

/** A fake registration and container that tests can drive like the browser does. */
function fakes(opts: { controlled: boolean; waiting?: boolean }) {
	const posted: unknown[] = [];
	const listeners = { updatefound: [] as Array<() => void>, controllerchange: [] as Array<() => void>, statechange: [] as Array<() => void> };
	const worker = { postMessage: (m: unknown) => posted.push(m) };
	const installing: Installing & { state: string } = {
		state: 'installing',
		postMessage: (m: unknown) => posted.push(m),
		addEventListener: (_t, l) => listeners.statechange.push(l)
	};
	const reg: Registration & { waiting: unknown; installing: unknown } = {
		waiting: opts.waiting ? worker : null,
		installing: null,
		addEventListener: (_t, l) => listeners.updatefound.push(l)
	};
	const container: Container = {
		controller: opts.controlled ? {} : null,
		addEventListener: (_t, l) => listeners.controllerchange.push(l)
	};
	/** A new worker is found, installs, and waits. */
	const install = () => {
		reg.installing = installing;
		for (const l of listeners.updatefound) l();
		installing.state = 'installed';
		reg.installing = null;
		reg.waiting = installing;
		for (const l of listeners.statechange) l();
	};
	const takeOver = () => listeners.controllerchange.forEach((l) => l());
	return { reg, container, posted, install, takeOver, worker, installing };
}

describe('the service worker’s files', () => {
	it('caches each file of a build once: its scripts, static files and pages', () => {
		expect(precacheList(['/_app/a.js', '/_app/immutable/workers/engine.worker-x.js'], ['/favicon.svg', '/_app/a.js'], ['/', '/play'])).toEqual([
			'/_app/a.js',
			'/_app/immutable/workers/engine.worker-x.js',
			'/favicon.svg',
			'/',
			'/play'
		]);
	});

	it('answers a page under its prerendered path, whatever the query, slash or .html', () => {
		const cached = new Set(['/', '/play', '/handout', '/_app/a.js']);
		expect(cacheKeyOf('/play', cached)).toBe('/play');
		expect(cacheKeyOf('/play/', cached)).toBe('/play');
		expect(cacheKeyOf('/play.html', cached)).toBe('/play');
		expect(cacheKeyOf('/handout', cached)).toBe('/handout');
		expect(cacheKeyOf('/', cached)).toBe('/');
		expect(cacheKeyOf('/index.html', cached)).toBe('/');
		expect(cacheKeyOf('/_app/a.js', cached)).toBe('/_app/a.js');
	});

	it('leaves what is not the app’s to the network', () => {
		const cached = new Set(['/', '/play']);
		expect(cacheKeyOf('/nowhere', cached)).toBeNull();
		expect(cacheKeyOf('/_app/version.json', cached)).toBeNull();
	});

	it('works under a base path', () => {
		const cached = new Set(['/lab/', '/lab/play']);
		expect(cacheKeyOf('/lab/play', cached)).toBe('/lab/play');
		expect(cacheKeyOf('/lab/index.html', cached)).toBe('/lab/');
		expect(cacheKeyOf('/lab', cached)).toBe('/lab/');
	});
});

describe('a new version', () => {
	it('is not offered on the first visit: the first worker installed is not an update', () => {
		const f = fakes({ controlled: false });
		const offered: unknown[] = [];
		watchForUpdate(f.reg, f.container, (w) => offered.push(w));
		f.install();
		expect(offered).toEqual([]);
	});

	it('is offered when one is already waiting as the page opens', () => {
		const f = fakes({ controlled: true, waiting: true });
		const offered: unknown[] = [];
		watchForUpdate(f.reg, f.container, (w) => offered.push(w));
		expect(offered).toEqual([f.worker]);
	});

	it('is offered once it has installed while the page is open, not before', () => {
		const f = fakes({ controlled: true });
		const offered: unknown[] = [];
		watchForUpdate(f.reg, f.container, (w) => offered.push(w));
		expect(offered).toEqual([]);
		f.install();
		expect(offered).toEqual([f.installing]);
	});

	it('takes over only when asked: the waiting worker is told to skip waiting, and the page reloads once it controls it', () => {
		const f = fakes({ controlled: true, waiting: true });
		let reloads = 0;
		applyUpdate(f.worker, f.container, () => reloads++);
		expect(f.posted).toEqual([SKIP_WAITING]);
		expect(reloads).toBe(0);
		f.takeOver();
		f.takeOver();
		expect(reloads).toBe(1);
	});

	it('knows its own message', () => {
		expect(isUpdateMessage(SKIP_WAITING)).toBe(true);
		expect(isUpdateMessage({ type: 'other' })).toBe(false);
		expect(isUpdateMessage(null)).toBe(false);
		expect(isUpdateMessage('snapshot-lab:skip-waiting')).toBe(false);
	});
});
