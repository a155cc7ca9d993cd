import { proxy, wrap, type Remote } from 'comlink';
import type { BatchMessage, EngineApi, LabSummary, LabView, OpenRequest } from '$lib/runtime/protocol';
import type { SimEvent } from '$lib/engine/events';

const LAST_LAB = 'snapshot-lab:last-lab';
/** Events the page keeps for the views: the newest ones. */
const KEEP_EVENTS = 2000;

function message(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

/**
 * The page's only door to the engine worker. Components read its fields and change things only
 * through its methods. Every request carries a number; a batch or an answer belonging to a request
 * that a newer one has replaced is dropped.
 *
 * @example
 * const lab = new LabClient();
 * onMount(() => lab.start());
 * await lab.openNew(doc);
 * await lab.run();
 */
export class LabClient {
	view = $state.raw<LabView | null>(null);
	labs = $state.raw<LabSummary[]>([]);
	events = $state.raw<SimEvent[]>([]);
	/** Each virtual snapshot's validity map as of the last batch (bit n of byte n >> 3). */
	bits = $state.raw<Record<string, Uint8Array>>({});
	/** What went wrong last, said plainly; null when nothing did. */
	error = $state.raw<string | null>(null);
	running = $state(false);
	/** True while the worker is stopped (after "Stop the engine now"). */
	stopped = $state(false);

	private worker: Worker | null = null;
	private api: Remote<EngineApi> | null = null;
	private latest = 0;

	/** Starts the worker (in the browser only) and reopens the lab open last time, if any. */
	async start(): Promise<void> {
		// What the stopped engine showed is history: the lab is shown again once it is reopened.
		this.view = null;
		this.worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
		this.api = wrap<EngineApi>(this.worker);
		this.stopped = false;
		await this.api.subscribe(proxy((b: BatchMessage) => this.onBatch(b)));
		await this.refreshLabs();
		const last = localStorage.getItem(LAST_LAB);
		if (last && this.labs.some((l) => l.id === last)) await this.open({ labId: last });
	}

	/** Ends the worker at once, as a crash or a closed tab would: whatever was not durable is gone. */
	stop(): void {
		this.worker?.terminate();
		this.worker = null;
		this.api = null;
		this.running = false;
		this.stopped = true;
		this.latest++;
	}

	private next(): number {
		return ++this.latest;
	}

	private onBatch(b: BatchMessage): void {
		if (b.request !== this.latest || !this.view) return;
		this.view = { ...this.view, status: b.status };
		this.bits = b.bits;
		if (b.events.length) this.events = [...this.events, ...b.events].slice(-KEEP_EVENTS);
	}

	private async call<T>(fn: (api: Remote<EngineApi>, request: number) => Promise<T>, request = this.next()): Promise<T | undefined> {
		if (!this.api) {
			this.error = 'The engine is stopped; start it again first.';
			return undefined;
		}
		try {
			const r = await fn(this.api, request);
			if (request !== this.latest) return undefined;
			this.error = null;
			return r;
		} catch (e) {
			if (request === this.latest) this.error = message(e);
			return undefined;
		}
	}

	async refreshLabs(): Promise<void> {
		const labs = await this.call((api) => api.listLabs(), this.latest);
		if (labs) this.labs = labs;
	}

	async open(req: OpenRequest): Promise<void> {
		this.events = [];
		const view = await this.call((api, r) => api.open(r, req));
		if (!view) return;
		this.view = view;
		if (view.durable) localStorage.setItem(LAST_LAB, view.id);
		await this.refreshLabs();
	}

	openNew(document: unknown, name?: string): Promise<void> {
		return this.open({ document, name });
	}

	async run(until?: number): Promise<void> {
		this.running = true;
		const view = await this.call((api, r) => api.run(r, until));
		this.running = false;
		if (view) this.view = view;
	}

	async pause(): Promise<void> {
		const view = await this.call((api) => api.pause(), this.latest);
		if (view) this.view = view;
	}

	async reset(): Promise<void> {
		this.events = [];
		const view = await this.call((api, r) => api.reset(r));
		if (!view) return;
		this.view = view;
		if (view.durable) localStorage.setItem(LAST_LAB, view.id);
		await this.refreshLabs();
	}

	async remove(id: string): Promise<void> {
		const labs = await this.call((api) => api.remove(id), this.latest);
		if (!labs) return;
		this.labs = labs;
		if (this.view?.id === id) this.view = null;
		if (localStorage.getItem(LAST_LAB) === id) localStorage.removeItem(LAST_LAB);
	}

	/** What blocks of an object hold now, as lower-case hex (null: unreadable). */
	async read(object: string, blocks: number[]): Promise<Array<string | null> | undefined> {
		return this.call((api) => api.read(object, blocks), this.latest);
	}
}
