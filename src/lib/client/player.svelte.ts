import { wrap, type Remote } from 'comlink';
import type { Contents, ContentsRequest, EngineApi, Recording } from '$lib/runtime/protocol';
import { Frames, type Frame } from '$lib/player/frame';
import { Flights, type DiskBusy, type Packet } from '$lib/player/flights';

function message(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

/** Play speeds: simulated microseconds per second of real time; `Infinity` jumps to the end. */
export const SPEEDS = [
	{ label: '¼×', rate: 60 },
	{ label: '½×', rate: 125 },
	{ label: '1×', rate: 250 },
	{ label: '4×', rate: 1000 },
	{ label: '16×', rate: 4000 },
	{ label: 'Instant', rate: Infinity }
] as const;

/** How long each event stays on screen while playing with reduced motion: no tweening, one event at a time. */
const REDUCED_MOTION_EVENT_MS = 350;

/** What a learner picked on the block map: its mapping is lit on the topology. */
export interface Selection {
	object: string;
	block: number;
}

/**
 * The player: one recording, a position in its event log and the simulated time the views
 * animate. Views read its fields; only its methods change them. Stepping back or scrubbing folds
 * the log again from the nearest kept frame; nothing is ever undone.
 *
 * @example
 * const player = new Player();
 * onMount(() => player.start());
 * await player.load(doc);
 * player.stepForward();
 */
export class Player {
	rec = $state.raw<Recording | null>(null);
	/** Events shown: 0 before the first, `rec.events.length` after the last. */
	position = $state(0);
	/** Simulated time the animation stands at, in microseconds. */
	now = $state(0);
	frame = $state.raw<Frame | null>(null);
	packets = $state.raw<Packet[]>([]);
	busyDisks = $state.raw<DiskBusy[]>([]);
	playing = $state(false);
	speed = $state(2);
	reducedMotion = $state(false);
	selection = $state.raw<Selection | null>(null);
	/** Block contents at the current position, as the worker read them (hex). */
	contents = $state.raw<Contents>({});
	/** What went wrong last, said plainly; null when nothing did. */
	error = $state.raw<string | null>(null);
	loading = $state(false);
	/**
	 * Positions the player will not pass, playing or stepping, until released: where a question
	 * must be answered before the animation reveals its answer. Scrubbing may still pass them.
	 */
	holds = $state.raw<number[]>([]);
	/** The hold the player is waiting at, or null. */
	heldAt = $state<number | null>(null);

	private worker: Worker | null = null;
	private api: Remote<EngineApi> | null = null;
	private frames: Frames | null = null;
	private flights: Flights | null = null;
	private latest = 0;
	private latestContents = 0;
	private raf = 0;
	private lastTick = 0;
	private wanted: ContentsRequest[] = [];
	private contentsTimer: ReturnType<typeof setTimeout> | null = null;

	get length(): number {
		return this.rec?.events.length ?? 0;
	}

	/** The chapter the position is in (index into `rec.chapters`). */
	get chapter(): number {
		const chapters = this.rec?.chapters ?? [];
		let c = 0;
		for (let i = 0; i < chapters.length; i++) if (chapters[i].position < this.position || (i === 0 && this.position === 0)) c = i;
		return c;
	}

	/** Starts the worker; in the browser only. */
	start(): void {
		this.worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
		this.api = wrap<EngineApi>(this.worker);
		const media = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
		if (media) {
			this.reducedMotion = media.matches;
			media.addEventListener('change', (e) => (this.reducedMotion = e.matches));
		}
	}

	destroy(): void {
		this.pause();
		this.worker?.terminate();
		this.worker = null;
		this.api = null;
	}

	/** Records a scenario document in the worker and stands before its first event. */
	async load(document: unknown, position = 0): Promise<boolean> {
		if (!this.api) return false;
		const request = ++this.latest;
		this.pause();
		this.loading = true;
		try {
			const rec = await this.api.record(request, document);
			if (request !== this.latest) return false;
			this.rec = rec;
			this.frames = new Frames(rec);
			this.flights = new Flights(rec.events);
			this.error = null;
			this.selection = null;
			this.holds = [];
			this.heldAt = null;
			this.seek(position);
			return true;
		} catch (e) {
			if (request === this.latest) this.error = message(e);
			return false;
		} finally {
			if (request === this.latest) this.loading = false;
		}
	}

	/** Goes to a position: the state after that many events, at the time of the last of them. */
	seek(position: number): void {
		if (!this.rec || !this.frames) return;
		const p = Math.max(0, Math.min(Math.round(position) || 0, this.length));
		this.position = p;
		this.now = p > 0 ? this.rec.events[p - 1].t : 0;
		this.refresh();
	}

	stepForward(): void {
		this.pause();
		if (this.blocked(this.position + 1)) return;
		this.seek(this.position + 1);
	}

	/** Sets the positions to hold at (see `holds`); all are unreleased. */
	holdAt(positions: number[]): void {
		this.holds = [...new Set(positions)].sort((a, b) => a - b);
		this.heldAt = null;
	}

	/** Lets the player pass a hold from now on. */
	release(position: number): void {
		this.holds = this.holds.filter((p) => p !== position);
		if (this.heldAt === position) this.heldAt = null;
	}

	/** True when moving forward to `target` would pass an unreleased hold; the player then stands at it. */
	private blocked(target: number): boolean {
		const hold = this.holds.find((h) => h >= this.position && h < target);
		if (hold === undefined) return false;
		if (this.position !== hold) this.seek(hold);
		this.heldAt = hold;
		return true;
	}

	stepBack(): void {
		this.pause();
		this.seek(this.position - 1);
	}

	first(): void {
		this.pause();
		this.seek(0);
	}

	last(): void {
		this.pause();
		if (!this.blocked(this.length)) this.seek(this.length);
	}

	jumpToChapter(index: number): void {
		const c = this.rec?.chapters[index];
		if (!c) return;
		this.pause();
		this.seek(c.position + (index === 0 ? 0 : 1));
	}

	setSpeed(index: number): void {
		this.speed = Math.max(0, Math.min(SPEEDS.length - 1, index));
		if (this.playing && SPEEDS[this.speed].rate === Infinity) this.last();
	}

	toggle(): void {
		if (this.playing) this.pause();
		else this.play();
	}

	play(): void {
		if (!this.rec || this.playing) return;
		if (this.position >= this.length) this.seek(0);
		if (SPEEDS[this.speed].rate === Infinity) {
			if (!this.blocked(this.length)) this.seek(this.length);
			return;
		}
		if (this.blocked(this.position + 1)) return;
		this.playing = true;
		this.lastTick = performance.now();
		this.raf = requestAnimationFrame((t) => this.tick(t));
	}

	pause(): void {
		this.playing = false;
		if (this.raf) cancelAnimationFrame(this.raf);
		this.raf = 0;
	}

	/** Picks a block (or nothing) on the block map; its mapping lights up on the topology. */
	select(selection: Selection | null): void {
		this.selection = selection;
	}

	/** Which blocks the views want contents of; fetched for every position they are shown at. */
	want(requests: ContentsRequest[]): void {
		this.wanted = requests;
		this.fetchContents();
	}

	/** One animation frame: simulated time moves with real time; idle gaps are skipped. */
	private tick(t: number): void {
		if (!this.playing || !this.rec || !this.flights) return;
		const dt = Math.min(100, t - this.lastTick);
		const events = this.rec.events;
		if (this.reducedMotion) {
			if (dt < REDUCED_MOTION_EVENT_MS) {
				this.raf = requestAnimationFrame((t2) => this.tick(t2));
				return;
			}
			this.lastTick = t;
			if (this.blocked(this.position + 1)) {
				this.pause();
				return;
			}
			this.seek(this.position + 1);
		} else {
			this.lastTick = t;
			let now = this.now + (dt / 1000) * SPEEDS[this.speed].rate;
			const next = events[this.position];
			if (next && next.t > now && this.flights.quiet(this.position, now)) now = next.t;
			let p = this.position;
			while (p < events.length && events[p].t <= now) p++;
			if (p > this.position && this.blocked(p)) {
				this.pause();
				return;
			}
			this.now = now;
			if (p !== this.position) {
				this.position = p;
				this.refresh();
			} else this.move();
		}
		if (this.position >= events.length && this.flights.quiet(this.position, this.now)) {
			this.pause();
			return;
		}
		this.raf = requestAnimationFrame((t2) => this.tick(t2));
	}

	private refresh(): void {
		this.frame = this.frames!.at(this.position);
		this.move();
		this.fetchContents();
	}

	private move(): void {
		this.packets = this.flights!.packets(this.position, this.now);
		this.busyDisks = this.flights!.disks(this.position, this.now);
	}

	// Contents come from the worker; while playing, at most a few times a second.
	private fetchContents(): void {
		if (!this.api || !this.wanted.length || this.contentsTimer) return;
		this.contentsTimer = setTimeout(
			async () => {
				this.contentsTimer = null;
				const request = ++this.latestContents;
				try {
					const c = await this.api!.contents(request, this.position, this.wanted);
					if (request === this.latestContents) this.contents = c;
				} catch (e) {
					if (request === this.latestContents) this.error = message(e);
				}
			},
			this.playing ? 250 : 0
		);
	}
}
