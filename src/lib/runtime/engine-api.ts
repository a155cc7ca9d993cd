import { transfer } from 'comlink';
import { LabRunner, memoryPersistence, type LabPersistence } from './lab-runner';
import type { Batch, BatchMessage, ContentsRequest, EngineApi, LabSummary, LabView, OpenRequest } from './protocol';
import { Recorder } from './recorder';
import { parseScenario, validateScenario, type ScenarioDocument } from '../scenario/schema';

/**
 * Where labs are kept: IndexedDB in the browser. Every call may fail (no IndexedDB in a private
 * window, a full quota, an upgrade blocked by another tab); the engine API then falls back to a
 * lab in memory and says so.
 */
export interface LabShelf {
	list(): Promise<LabSummary[]>;
	create(name: string): Promise<LabSummary>;
	open(id: string): Promise<LabPersistence & { close(): void }>;
	remove(id: string): Promise<void>;
	touch(id: string): Promise<void>;
	estimate(): Promise<{ used: number; quota: number } | null>;
}

const MEMORY_NOTICE = 'This lab lives in memory only and will not survive a reload.';

interface Open {
	id: string;
	name: string;
	runner: LabRunner;
	persistence: LabPersistence & { close?(): void };
	notice: string | null;
}

function reason(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

/**
 * The engine worker's API: opens labs on the shelf (or in memory), runs them in batches and
 * posts every batch to the page. One lab is open at a time.
 *
 * @example
 * expose(createEngineApi(idbShelf, { clock: () => performance.now() }));
 */
export function createEngineApi(shelf: LabShelf | null, opts: { clock?: () => number; yieldToHost?: () => Promise<void> } = {}): EngineApi {
	let open: Open | null = null;
	let listener: ((b: BatchMessage) => void) | null = null;
	let shelfProblem: string | null = shelf ? null : 'this browser offers no IndexedDB';
	let memoryLabs = 0;
	const recorder = new Recorder();

	const view = async (): Promise<LabView> => {
		if (!open) throw new Error('no lab is open');
		let storage: LabView['storage'] = null;
		if (shelf && !shelfProblem) storage = await shelf.estimate().catch(() => null);
		const status = open.runner.status();
		const broken = status.storageProblem;
		return {
			id: open.id,
			name: open.name,
			title: open.runner.doc.title ?? open.name,
			durable: open.persistence.durable && !broken,
			notice: broken ? `${MEMORY_NOTICE} ${broken}` : open.notice,
			status,
			storage
		};
	};

	const close = async () => {
		if (!open) return;
		await open.runner.pause();
		open.persistence.close?.();
		open = null;
	};

	// A lab that could not be made on the shelf goes to memory; the shelf stays in use for the others.
	const toMemory = async (doc: ScenarioDocument, name: string, why: string): Promise<Open> => {
		const persistence = memoryPersistence();
		const runner = await LabRunner.open(doc, persistence);
		return { id: `memory-${++memoryLabs}`, name, runner, persistence, notice: `${MEMORY_NOTICE} Storage is unavailable: ${why}.` };
	};

	const documentOf = (input: unknown): ScenarioDocument => {
		const parsed = typeof input === 'string' ? parseScenario(input) : validateScenario(input);
		if (!parsed.ok) throw new Error(`This scenario cannot be opened: ${parsed.error}`);
		return parsed.doc;
	};

	// The maps' bits move to the page rather than being copied a second time.
	const onBatch = (request: number) => (b: Batch) =>
		listener?.(transfer({ ...b, request }, Object.values(b.bits).map((a) => a.buffer as ArrayBuffer)));

	return {
		async listLabs() {
			if (!shelf || shelfProblem) return [];
			try {
				return await shelf.list();
			} catch (e) {
				shelfProblem = reason(e);
				return [];
			}
		},

		async open(_request: number, req: OpenRequest) {
			await close();
			if (req.labId) {
				if (!shelf) throw new Error(`Lab ${req.labId} cannot be reopened: ${shelfProblem}`);
				const persistence = await shelf.open(req.labId);
				const doc = persistence.getMeta<ScenarioDocument>('document');
				if (!doc) {
					persistence.close();
					throw new Error(`Lab ${req.labId} holds no scenario; it may have been deleted`);
				}
				const summary = (await shelf.list()).find((l) => l.id === req.labId);
				const runner = await LabRunner.open(documentOf(doc), persistence);
				open = { id: req.labId, name: summary?.name ?? req.labId, runner, persistence, notice: null };
				return view();
			}
			const doc = documentOf(req.document);
			const name = req.name ?? doc.title ?? 'Untitled lab';
			if (shelf && !shelfProblem) {
				try {
					const lab = await shelf.create(name);
					const persistence = await shelf.open(lab.id);
					const runner = await LabRunner.open(doc, persistence);
					open = { id: lab.id, name, runner, persistence, notice: null };
					return view();
				} catch (e) {
					open = await toMemory(doc, name, reason(e));
					return view();
				}
			}
			open = await toMemory(doc, name, shelfProblem ?? 'storage is unavailable');
			return view();
		},

		async run(request: number, until?: number) {
			if (!open) throw new Error('no lab is open');
			const o = open;
			await o.runner.run({ until, onBatch: onBatch(request), clock: opts.clock, yieldToHost: opts.yieldToHost });
			if (shelf && o.persistence.durable) await shelf.touch(o.id).catch(() => {});
			return view();
		},

		async pause() {
			await open?.runner.pause();
			return view();
		},

		async reset(request: number) {
			if (!open) throw new Error('no lab is open');
			const { runner, name, id, persistence } = open;
			await close();
			if (shelf && persistence.durable) await shelf.remove(id);
			// A new lab from the same document: on the shelf when it can be, else in memory again.
			return this.open(request, { document: runner.doc, name });
		},

		async remove(labId: string) {
			if (open?.id === labId) await close();
			if (shelf) await shelf.remove(labId);
			return this.listLabs();
		},

		async read(object: string, blocks: number[]) {
			if (!open) throw new Error('no lab is open');
			if (!open.runner.lab.allocator.catalog.objects.has(object)) throw new Error(`unknown object ${object}`);
			return open.runner.read(object, blocks);
		},

		async record(_request: number, input: unknown) {
			return recorder.record(documentOf(input));
		},

		async contents(_request: number, position: number, wanted: ContentsRequest[]) {
			return recorder.contents(position, wanted);
		},

		subscribe(l) {
			listener = l;
		}
	};
}
