import type { SimEvent } from '../engine/events';

/** Events per chunk of the journal: the unit it is stored, loaded and folded in. */
export const CHUNK_EVENTS = 1024;

/** Where a journal keeps its chunks: a lab's database, or memory. Puts are durable at the next flush. */
export interface ChunkStore {
	putChunk(index: number, events: SimEvent[]): void;
	getChunk(index: number): Promise<SimEvent[] | undefined> | SimEvent[] | undefined;
}

/** Chunks kept in memory beyond the one being written, newest used last. */
const CACHED_CHUNKS = 64;

/**
 * A lab's history: every event it emitted, in chunks of `CHUNK_EVENTS`, kept beside its disks so
 * that after a power cut the journal, not a re-run of the document, is what happened. The last,
 * partial chunk is written again at every `sync`; full chunks once.
 *
 * @example
 * const j = await Journal.open(store, 0);
 * lab.sim.subscribe((e) => j.append(e));
 * j.sync();                        // then flush the store: the journal is durable up to j.length
 * await j.read(1000, 1100);        // events 1000…1099
 */
export class Journal {
	private cache = new Map<number, SimEvent[]>();
	private tailDirty = false;

	private constructor(
		private readonly store: ChunkStore,
		/** Events in the journal. */
		public length: number,
		private tail: SimEvent[]
	) {}

	/** The journal of `length` events in `store` (events past `length` there are left behind). */
	static async open(store: ChunkStore, length: number): Promise<Journal> {
		const rest = length % CHUNK_EVENTS;
		const tail = rest ? ((await store.getChunk(Math.floor(length / CHUNK_EVENTS))) ?? []).slice(0, rest) : [];
		if (tail.length !== rest) throw new Error(`the journal is missing events ${length - rest}–${length - 1}`);
		return new Journal(store, length, tail);
	}

	append(e: SimEvent): void {
		this.tail.push(e);
		this.length++;
		this.tailDirty = true;
		if (this.tail.length === CHUNK_EVENTS) {
			const index = this.length / CHUNK_EVENTS - 1;
			this.store.putChunk(index, this.tail);
			this.remember(index, this.tail);
			this.tail = [];
			this.tailDirty = false;
		}
	}

	/** Hands the partial last chunk to the store, so that the next flush makes all `length` events durable. */
	sync(): void {
		if (!this.tailDirty) return;
		this.store.putChunk(Math.floor(this.length / CHUNK_EVENTS), this.tail.slice());
		this.tailDirty = false;
	}

	/** Events `from` to `to` (not included), as far as the journal goes. */
	async read(from: number, to: number): Promise<SimEvent[]> {
		const end = Math.min(to, this.length);
		const out: SimEvent[] = [];
		for (let i = Math.max(0, from); i < end; ) {
			const index = Math.floor(i / CHUNK_EVENTS);
			const chunk = await this.chunk(index);
			const start = i - index * CHUNK_EVENTS;
			const stop = Math.min(chunk.length, end - index * CHUNK_EVENTS);
			for (let k = start; k < stop; k++) out.push(chunk[k]);
			i = index * CHUNK_EVENTS + stop;
			if (stop <= start) throw new Error(`the journal is missing event ${i}`);
		}
		return out;
	}

	private async chunk(index: number): Promise<SimEvent[]> {
		if (index === Math.floor(this.length / CHUNK_EVENTS)) return this.tail;
		const hit = this.cache.get(index);
		if (hit) return hit;
		const loaded = await this.store.getChunk(index);
		if (!loaded || loaded.length < CHUNK_EVENTS) throw new Error(`the journal is missing chunk ${index}`);
		this.remember(index, loaded);
		return loaded;
	}

	private remember(index: number, events: SimEvent[]): void {
		this.cache.delete(index);
		this.cache.set(index, events);
		if (this.cache.size > CACHED_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
	}
}
