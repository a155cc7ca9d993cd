import { proxy, wrap, type Remote } from 'comlink';
import type { SimEvent } from '$lib/engine/events';
import type { Step } from '$lib/engine/lab';
import { decodeEvents, LAB_BUSY, type BatchMessage, type Contents, type ContentsRequest, type EngineApi, type LabView, type OpenRequest } from '$lib/runtime/protocol';
import { RecordingBuilder, type Recording } from '$lib/player/recording';
import { Frames, type Frame } from '$lib/player/frame';
import { isKeyMoment, keyMoments, nextMoment, previousMoment } from '$lib/player/moments';
import { chapterStart } from '$lib/player/narrate';
import { judge, VERDICT_BLOCKS, verdictFacts, verdictObjects, type Verdict, type VerdictReads } from '$lib/player/verdict';
import { Flights, type DiskBusy, type Packet } from '$lib/player/flights';
import type { Selection, ViewActions, ViewState } from '$lib/player/view-state';
import { newestPlace, placeOf, rememberPlace } from './places';

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

/**
 * How long playing at 1× stands on a key moment (see `isKeyMoment`), in real milliseconds: long
 * enough to read its sentence; slower speeds stand longer, in proportion. At reading speeds (1×
 * and slower) playing also stops where each chapter starts; faster speeds skim.
 */
const KEY_MOMENT_MS = 2500;
const ONE_X = SPEEDS[2].rate;

/** Where the learner's choice of detail is kept in this browser. */
const DETAIL_KEY = 'snapshot-lab:detail';

/** How Step forward and Step back move: one event at a time, or from key moment to key moment. */
export type Detail = 'every' | 'key';

/** Journal events fetched per request when a lab opens: the page stays responsive while a long one loads. */
const FETCH_EVENTS = 8_192;

/** Events behind the position the views look back over (narration, messages in flight), kept on the page. */
const KEEP_BEHIND = 512;
/** Events ahead of the position kept on the page, so that playing never waits for the worker. */
const KEEP_AHEAD = 4_096;

/** How often, at most, the place is saved and written into the address while it moves. */
const SAVE_PLACE_MS = 300;

/**
 * The page's one door to the engine worker, and the player of the lab open in it: the lab's
 * journal as far as it has run, a position in it and the simulated time the views animate. Views
 * read its fields; only its methods change them. At the head the views follow the live run;
 * stepping back or scrubbing folds the journal again from the nearest kept frame (nothing is ever
 * undone). The learner's place is saved in the lab and written into the address as it changes.
 *
 * @example
 * const player = new Player();
 * onMount(() => player.start());
 * await player.open({ document: doc, source: 'scenario:tour' });
 * player.stepForward();
 */
export class Player implements ViewState, ViewActions {
	rec = $state.raw<Recording | null>(null);
	/** The open lab: its id, title, whether it is durable, its run's status. */
	lab = $state.raw<LabView | null>(null);
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
	/** What a finished run's snapshots hold against what they must, once judged; null before the end. */
	verdict = $state.raw<Verdict | null>(null);
	/** Block contents at the current position, as the worker read them (hex). */
	contents = $state.raw<Contents>({});
	/** What went wrong last, said plainly; null when nothing did. */
	error = $state.raw<string | null>(null);
	/** Why the controls wait, while a lab opens; null once they act. */
	loading = $state.raw<string | null>(null);
	/** True while the engine runs the lab past the journal's head. */
	running = $state(false);
	/** The views keep to the newest event as the live run goes on. */
	following = $state(false);
	/**
	 * Why this tab does not drive the lab it shows — another tab does — or null. `takeOver()`
	 * takes it back.
	 */
	elsewhere = $state.raw<string | null>(null);
	/** Whether the browser promised to keep this site's labs under storage pressure; null before asking. */
	persisted = $state<boolean | null>(null);
	/**
	 * Positions the player will not pass, playing or stepping, until released: where a question
	 * must be answered before the animation reveals its answer. Scrubbing may still pass them.
	 */
	holds = $state.raw<number[]>([]);
	/**
	 * An assignment: no move at all — not even scrubbing or jumping to a chapter — passes an
	 * unreleased hold, so no answer is shown before it is given.
	 */
	strictHolds = $state(false);
	/**
	 * An embedded player keeps the address it was framed with instead of naming its lab there: the
	 * lab lives in storage of the framing site's partition, which “Open in Snapshot Lab” in a new
	 * tab cannot reach.
	 */
	keepAddress = false;
	/** The hold the player is waiting at, or null. */
	heldAt = $state<number | null>(null);
	/** How Step forward and Step back move (see `Detail`); the learner's choice is kept in this browser. */
	detail = $state<Detail>('key');
	/** The chapter at whose start playing stopped, its text pinned until the learner goes on; null otherwise. */
	chapterPause = $state<number | null>(null);

	private worker: Worker | null = null;
	private api: Remote<EngineApi> | null = null;
	private builder: RecordingBuilder | null = null;
	private frames: Frames | null = null;
	private flights: Flights | null = null;
	private latest = 0;
	private latestContents = 0;
	private raf = 0;
	private lastTick = 0;
	/** Until when (real time) playing stands on the key moment just shown. */
	private dwellUntil = 0;
	/** Where playing last began. */
	private playedFrom = 0;
	private wanted: ContentsRequest[] = [];
	private contentsTimer: ReturnType<typeof setTimeout> | null = null;
	private placeTimer: ReturnType<typeof setTimeout> | null = null;
	/** Where the learner asked to go, past the head of the live run: reached as the run comes. */
	private ahead: number | null = null;
	/** A position asked for whose events the page is fetching again from the lab; shown once they are here. */
	waiting = $state<number | null>(null);
	private fetching = false;
	/** Labs opened only to watch (the sandbox's preview): kept in memory, never listed. */
	private readonly ephemeral: boolean;
	/** What was asked to be opened last, to ask again when taking a lab over. */
	private asked: { req: OpenRequest; position?: number } | null = null;
	private mediaWatched = false;

	constructor(opts: { ephemeral?: boolean } = {}) {
		this.ephemeral = opts.ephemeral ?? false;
	}

	get length(): number {
		return this.rec?.events.length ?? 0;
	}

	get event(): SimEvent | null {
		return (this.position > 0 && this.rec?.events[this.position - 1]) || null;
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
		void this.api.subscribe(proxy((b: BatchMessage) => this.onBatch(b)));
		void this.api.onTaken(proxy((labId: string) => this.onTaken(labId)));
		try {
			const kept = localStorage.getItem(DETAIL_KEY);
			if (kept === 'every' || kept === 'key') this.detail = kept;
		} catch {
			// Storage refused: the choice lasts as long as the page.
		}
		const media = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
		if (media && !this.mediaWatched) {
			this.mediaWatched = true;
			this.reducedMotion = media.matches;
			media.addEventListener('change', (e) => (this.reducedMotion = e.matches));
		}
	}
	destroy(): void {
		this.pause();
		this.savePlaceNow();
		this.worker?.terminate();
		this.worker = null;
		this.api = null;
	}

	/**
	 * Opens a lab — a new one from a document (or the one made from the same source before), or a
	 * kept one by id — and stands at `position` (default: where the learner left it). The run goes
	 * on in the worker; the views follow its head when `follow` is set.
	 */
	async open(req: OpenRequest, position?: number, opts: { follow?: boolean } = {}): Promise<boolean> {
		if (!this.api) return false;
		const api = this.api;
		const request = ++this.latest;
		this.pause();
		this.savePlaceNow();
		this.loading = 'Opening the lab…';
		this.asked = { req, position };
		try {
			return await this.show(request, await api.open(request, this.ephemeral ? { ...req, ephemeral: true } : req), position, opts.follow);
		} catch (e) {
			if (request === this.latest) {
				const why = message(e);
				if (why.startsWith(LAB_BUSY)) this.elsewhere = `${LAB_BUSY} Take it over here, and that tab stops.`;
				else this.error = why;
				this.loading = null;
			}
			return false;
		}
	}

	/** Takes in a lab the worker has just opened: its journal so far, then its live run. */
	private async show(request: number, lab: LabView, position: number | undefined, follow = false): Promise<boolean> {
		const api = this.api;
		if (request !== this.latest || !api) return false;
		this.elsewhere = null;
		const builder = new RecordingBuilder(lab.doc, lab.descriptions);
		const head = lab.status.head;
		const piece = (from: number) => (from < head ? api.events(request, from, Math.min(head, from + FETCH_EVENTS)) : null);
		// The next piece is read from the lab while this one is taken in.
		let next = piece(0);
		for (let from = 0; next; from += FETCH_EVENTS) {
			this.loading = `Loading the lab's history: ${from.toLocaleString('en')} of ${head.toLocaleString('en')} events…`;
			const json = await next;
			if (request !== this.latest) return false;
			next = piece(from + FETCH_EVENTS);
			builder.append(decodeEvents(json));
		}
		this.builder = builder;
		this.lab = lab;
		this.rec = builder.recording();
		this.frames = new Frames(this.rec);
		this.flights = new Flights(this.rec.events);
		this.waiting = null;
		this.error = null;
		this.selection = null;
		this.holds = [];
		this.heldAt = null;
		this.following = follow;
		this.running = !lab.status.finished;
		this.seek(follow ? this.length : (position ?? newestPlace(placeOf(lab.id), { at: lab.place, t: lab.placedAt }) ?? 0));
		this.loading = null;
		// The address names the lab at once: a reload comes back to it, not to what made it.
		this.savePlaceNow();
		this.verdict = null;
		if (this.running) void this.advance(request);
		else void this.judgeRun(request);
		if (lab.durable && this.persisted === null) void this.keep();
		return true;
	}

	/** Takes the lab over from the tab that drives it. */
	async takeOver(): Promise<boolean> {
		if (!this.asked) return false;
		const { req, position } = this.asked;
		const id = this.lab?.id;
		return this.open(id && !req.labId ? { labId: id, steal: true } : { ...req, steal: true }, this.lab ? this.position : position);
	}

	/** Another tab took the lab over: nothing runs here any more; the views keep what they showed. */
	private onTaken(labId: string): void {
		if (this.lab?.id !== labId) return;
		this.pause();
		this.latest++;
		this.running = false;
		this.elsewhere = 'Another tab has taken this lab over and drives it now. Take it back here, and that tab stops.';
	}

	/** Asks the browser to keep this site's storage under pressure (it may say no). */
	private async keep(): Promise<void> {
		const storage = globalThis.navigator?.storage;
		if (!storage?.persist) return;
		try {
			this.persisted = (await storage.persisted()) || (await storage.persist());
		} catch {
			this.persisted = false;
		}
	}

	/**
	 * Does something to the running system: `step` is added to the lab's scenario and runs at
	 * once, the views following it. At the last event only, unless `fork`: before it, the run
	 * forks at the position shown. `redo`: the step is the one Undo took back last. Resolves to
	 * why it cannot be done — the engine's own words — or null.
	 */
	async act(step: Step, opts: { redo?: boolean; fork?: boolean } = {}): Promise<string | null> {
		const api = this.api;
		if (!api || !this.lab || !this.builder) return 'No lab is open.';
		if (this.elsewhere) return this.elsewhere;
		// Playing on to the end (an action being watched): the next action goes on from the end.
		if (this.position < this.length && this.playing) this.last();
		if (this.position < this.length) {
			if (!opts.fork) return 'This is before the last event: acting here forks the run (Fork from here).';
			return this.fork(step, this.position, opts.redo);
		}
		const request = this.latest;
		this.pause();
		let lab: LabView;
		try {
			lab = await api.act(request, $state.snapshot(step) as Step, { redo: opts.redo });
		} catch (e) {
			return message(e);
		}
		if (request !== this.latest) return null;
		this.verdict = null;
		this.builder.redocument(lab.doc);
		this.rec = this.builder.recording();
		this.lab = lab;
		// The learner watches what the action does, from where it began, at the speed chosen.
		this.following = false;
		void this.advance(request);
		this.play();
		return null;
	}

	/**
	 * Takes the lab's last action back: the lab is made again as if it had not been taken, and
	 * the player stands where it began. Resolves to why it cannot be done, or null.
	 */
	async undo(): Promise<string | null> {
		const api = this.api;
		if (!api || !this.lab) return 'No lab is open.';
		if (!this.lab.actions) return 'Nothing to undo: no action has been taken on this lab.';
		this.pause();
		const request = ++this.latest;
		this.loading = 'Taking the last action back…';
		try {
			const { lab } = await api.undo(request);
			await this.show(request, lab, lab.place);
			return null;
		} catch (e) {
			if (request === this.latest) this.loading = null;
			return message(e);
		}
	}

	/** Acts at event `position`, before the last one: the run forks there (see `EngineApi.fork`). */
	private async fork(step: Step, position: number, redo = false): Promise<string | null> {
		const api = this.api!;
		this.pause();
		const request = ++this.latest;
		this.loading = 'Forking the run here…';
		try {
			const lab = await api.fork(request, position, $state.snapshot(step) as Step, { redo });
			await this.show(request, lab, lab.place, true);
			return null;
		} catch (e) {
			if (request === this.latest) this.loading = null;
			return message(e);
		}
	}

	/** Does the action Undo took back last again: at the end of the run, or as the fork it was. */
	async redo(): Promise<string | null> {
		const next = this.lab?.undone.at(-1);
		if (!next) return 'Nothing to redo.';
		if (next.forkedAt !== undefined) return this.fork(next.step, next.forkedAt, true);
		if (this.position < this.length) this.last();
		return this.act(next.step, { redo: true });
	}

	/** Opens a new lab from a scenario document (JSON text or parsed). */
	load(document: unknown, position = 0): Promise<boolean> {
		return this.open({ document }, position);
	}

	/** What blocks of an object of the open lab hold now, read straight from its disks (hex; null: unreadable). */
	async read(object: string, blocks: number[]): Promise<Array<string | null>> {
		if (!this.api) throw new Error('The engine is not running.');
		return this.api.read(object, blocks);
	}

	/** Starts the open lab over from its document. */
	async reset(): Promise<void> {
		if (!this.api || !this.lab) return;
		const { id } = this.lab;
		this.pause();
		const request = ++this.latest;
		this.loading = 'Starting the lab over…';
		try {
			await this.show(request, await this.api.reset(request), 0);
		} catch (e) {
			if (request !== this.latest) return;
			this.error = `Lab ${id} could not be started over: ${message(e)}`;
			this.loading = null;
		}
	}

	/**
	 * A power cut of the whole simulated system at the event shown: the worker is ended at once and
	 * started again; the lab reopens from what was durable and the views show the recovery from the
	 * moment the power came back. Following a live run, the cut falls wherever the run stands; at
	 * an earlier event, the lab is first made to hold its history up to there and nothing after.
	 */
	async pullThePlug(): Promise<void> {
		if (!this.lab || !this.api) return;
		const { id } = this.lab;
		const at = this.position;
		this.pause();
		if (!(this.running && this.following)) {
			this.loading = 'Cutting the power…';
			try {
				await this.api.cutAt(++this.latest, at);
			} catch (e) {
				this.error = message(e);
				this.loading = null;
				return;
			}
		}
		this.worker?.terminate();
		this.worker = null;
		this.api = null;
		this.running = false;
		this.latest++;
		this.start();
		const ok = await this.open({ labId: id }, at);
		if (!ok || !this.rec || !this.builder) return;
		const power = this.builder.lastPower;
		if (this.lab?.recovered && power >= 0) {
			this.seek(Math.min(at, power));
			this.play();
		}
	}

	/** Lets the run go on in the worker to its end, taking its batches as they come. */
	private async advance(request: number): Promise<void> {
		if (!this.api) return;
		this.running = true;
		try {
			const lab = await this.api.advance(request, Number.MAX_SAFE_INTEGER);
			if (request === this.latest) this.lab = lab;
			if (request === this.latest && lab.status.finished) void this.judgeRun(request);
		} catch (e) {
			if (request === this.latest) this.error = message(e);
		} finally {
			if (request === this.latest) {
				this.running = false;
				if (this.ahead !== null) this.seek(this.ahead);
			}
		}
	}

	/**
	 * Judges a finished run's snapshots from the lab's own contents (see `judge`): each source as
	 * it was at its snapshot's instant, and every object as it is at the end.
	 */
	private async judgeRun(request: number): Promise<void> {
		const api = this.api;
		const rec = this.rec;
		this.verdict = null;
		if (!api || !rec) return;
		const facts = verdictFacts(rec.events);
		if (!facts.snapshots.length) return;
		// Its own frames: the player's cursor, and the frame it shows, stay where the learner is.
		const end = new Frames(rec).at(this.length);
		const small = (id: string) => (end.objects[id]?.blocks ?? Infinity) <= VERDICT_BLOCKS;
		const read = async (position: number, id: string) => (await api.contents(request, position, [{ id, from: 0, count: VERDICT_BLOCKS }]))[id];
		const wanted = verdictObjects(facts);
		const atMade: VerdictReads['atMade'] = {};
		const now: VerdictReads['now'] = {};
		try {
			for (const m of wanted.made) if (small(m.source)) atMade[m.position] = await read(m.position, m.source);
			for (const id of wanted.now) if (small(id)) now[id] = await read(Number.MAX_SAFE_INTEGER, id);
		} catch {
			return;
		}
		if (request !== this.latest) return;
		this.verdict = judge(rec.doc, rec.spec.blockSize, facts, end.validity, { atMade, now });
	}

	private onBatch(b: BatchMessage): void {
		if (b.request !== this.latest || !this.builder || !this.lab) return;
		if (b.from !== this.builder.events.length) {
			this.error = `The lab's history arrived out of order (event ${b.from}, expected ${this.builder.events.length}); reload to see it whole.`;
			return;
		}
		const atHead = this.position >= this.length;
		this.builder.append(decodeEvents(b.events));
		this.builder.describe(b.descriptions);
		this.rec = this.builder.recording();
		this.lab = { ...this.lab, status: b.status, notice: b.notice };
		if (this.ahead !== null) this.seek(this.ahead);
		else if (this.following && atHead && !this.playing) this.seek(this.length);
	}

	/**
	 * Saves the place in the lab and the address a moment later — at most that often while the
	 * position keeps moving (playing, or following a live run), never later.
	 */
	private savePlace(): void {
		if (this.placeTimer) return;
		this.placeTimer = setTimeout(() => this.savePlaceNow(), SAVE_PLACE_MS);
	}

	private savePlaceNow(): void {
		if (this.placeTimer) clearTimeout(this.placeTimer);
		this.placeTimer = null;
		if (!this.lab || !this.api || this.elsewhere) return;
		const t = Date.now();
		void this.api.setPlace(this.position, t).catch(() => {});
		if (this.ephemeral || !this.lab.durable || typeof location === 'undefined') return;
		rememberPlace(this.lab.id, { at: this.position, t });
		const url = new URL(location.href);
		if (!this.keepAddress && (url.pathname.endsWith('/play') || url.pathname.endsWith('/play/'))) {
			// The address's own settings outlive the rewrite: hidden views, an assignment.
			const kept = ['views', 'answers'].flatMap((k) => {
				const v = url.searchParams.get(k);
				return v ? [`&${k}=${encodeURIComponent(v)}`] : [];
			});
			url.search = `?lab=${encodeURIComponent(this.lab.id)}&at=${this.position}${kept.join('')}`;
			url.hash = '';
			history.replaceState(history.state, '', url);
		}
	}

	/**
	 * Goes to a position: the state after that many events, at the time of the last of them. Past
	 * the head of a live run it goes as far as the run has come, and on as the run comes further.
	 */
	seek(position: number): void {
		if (!this.rec || !this.frames || !this.builder) return;
		let want = Math.max(0, Math.round(position) || 0);
		if (this.strictHolds) {
			const hold = this.holds.find((h) => h < want);
			if (hold !== undefined) {
				want = hold;
				this.heldAt = hold;
			}
		}
		this.ahead = this.running && want > this.length ? want : null;
		const p = Math.min(want, this.length);
		// A big lab's page keeps only the events near the place: far away, they are fetched first.
		if (!this.keepNear(p)) {
			this.waiting = p;
			this.fetch();
			return;
		}
		this.waiting = null;
		this.chapterPause = null;
		this.position = p;
		this.now = p > 0 ? this.rec.events[p - 1].t : 0;
		// The end of a finished run is when its last messages have landed: none is left drawn on its way.
		if (p > 0 && p >= this.length && !this.running) this.now = this.flights!.settled(p, this.now);
		if (p < this.length) this.following = false;
		this.refresh();
	}

	/** Where the player stands, or is about to once the events it fetches arrive. */
	private get place(): number {
		return this.waiting ?? this.position;
	}

	/** The events the views need around `p`: from the kept frame it replays from, to a stretch ahead. */
	private around(p: number): [number, number] {
		return [Math.max(0, Math.min(this.frames!.need(p), p - KEEP_BEHIND)), p + KEEP_AHEAD];
	}

	/**
	 * Keeps the events around `p` on the page (a big lab's page forgets the rest), starting to
	 * fetch any it forgot; true when those up to `p` are here, so that `p` can be shown now.
	 */
	private keepNear(p: number): boolean {
		const tape = this.builder!.tape;
		const [from, to] = this.around(p);
		tape.pin(from, to);
		if (!tape.has(from, to)) this.fetch();
		return tape.has(from, p);
	}

	/** Fetches the pinned events the page has forgotten, then goes where it was asked to. */
	private fetch(): void {
		const api = this.api;
		const tape = this.builder?.tape;
		if (this.fetching || !api || !tape) return;
		const request = this.latest;
		this.fetching = true;
		void (async () => {
			let failed = false;
			try {
				for (;;) {
					const [gap] = tape.missing(...this.around(this.place));
					if (!gap || request !== this.latest) break;
					tape.put(gap[0], decodeEvents(await api.events(request, gap[0], Math.min(gap[1], gap[0] + FETCH_EVENTS))));
				}
			} catch (e) {
				failed = true;
				if (request === this.latest) this.error = `The lab's events could not be fetched again: ${message(e)}`;
			} finally {
				this.fetching = false;
				if (!failed && request === this.latest && this.waiting !== null) this.seek(this.waiting);
			}
		})();
	}

	/** One event on, or (key moments) to just after the next key moment. */
	stepForward(): void {
		this.pause();
		const to = this.detail === 'key' && this.rec ? (nextMoment(keyMoments(this.rec.events), this.place) ?? this.length) : this.place + 1;
		if (this.blocked(to)) return;
		this.seek(to);
	}

	setDetail(detail: Detail): void {
		this.detail = detail;
		try {
			localStorage.setItem(DETAIL_KEY, detail);
		} catch {
			// Storage refused: the choice lasts as long as the page.
		}
	}

	/** Sets the positions to hold at (see `holds`); all are unreleased. */
	holdAt(positions: number[]): void {
		this.holds = [...new Set(positions)].sort((a, b) => a - b);
		this.heldAt = null;
		// Opened past an unanswered question of an assignment: go back to it.
		if (this.strictHolds && this.holds.length && this.place > this.holds[0]) {
			this.pause();
			this.seek(this.holds[0]);
		}
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

	/** One event back, or (key moments) to just after the key moment before the one shown. */
	stepBack(): void {
		this.pause();
		this.seek(this.detail === 'key' && this.rec ? previousMoment(keyMoments(this.rec.events), this.place) : this.place - 1);
	}

	first(): void {
		this.pause();
		this.seek(0);
	}

	last(): void {
		this.pause();
		if (this.blocked(this.length)) return;
		this.seek(this.length);
		this.following = this.running;
	}

	jumpToChapter(index: number): void {
		const chapters = this.rec?.chapters;
		if (!chapters?.[index]) return;
		this.pause();
		this.seek(chapterStart(chapters, index));
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
		this.chapterPause = null;
		this.dwellUntil = 0;
		if (this.position >= this.length && !this.running) this.seek(0);
		this.playedFrom = this.position;
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
		if (t < this.dwellUntil) {
			// Standing on a key moment: the learner reads its sentence.
			this.lastTick = t;
			this.raf = requestAnimationFrame((t2) => this.tick(t2));
			return;
		}
		const dt = Math.min(100, t - this.lastTick);
		const events = this.rec.events;
		const reading = SPEEDS[this.speed].rate <= ONE_X;
		const dwell = reading ? KEY_MOMENT_MS * (ONE_X / SPEEDS[this.speed].rate) : 0;
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
			const chapter = reading ? this.chapterStartIn(this.position, this.position + 1) : null;
			this.seek(this.position + 1);
			if (chapter !== null) return this.stopAtChapter(chapter);
			if (dwell && events[this.position - 1] && isKeyMoment(events[this.position - 1])) this.dwellUntil = t + dwell;
		} else {
			this.lastTick = t;
			let now = this.now + (dt / 1000) * SPEEDS[this.speed].rate;
			const next = events[this.position];
			if (!next && this.position < events.length) {
				// The events ahead are on their way from the worker: time waits for them.
				this.raf = requestAnimationFrame((t2) => this.tick(t2));
				return;
			}
			if (next && next.t > now && this.flights.quiet(this.position, now)) now = next.t;
			// At the head of a live run, time waits for the engine.
			if (!next && this.running) now = Math.min(now, Math.max(this.now, events.at(-1)?.t ?? 0));
			let p = this.position;
			while (p < events.length && events[p] && events[p].t <= now) p++;
			if (p > this.position && this.blocked(p)) {
				this.pause();
				return;
			}
			// A chapter starting on the way: playing stops there, its text pinned.
			const chapter = reading ? this.chapterStartIn(this.position, p) : null;
			if (chapter !== null) {
				this.seek(chapter.at);
				return this.stopAtChapter(chapter);
			}
			// A key moment on the way: time stands on it a while.
			const key = dwell ? nextMoment(keyMoments(events), this.position) : null;
			if (key !== null && key <= p) {
				p = key;
				now = events[key - 1].t;
				this.dwellUntil = t + dwell;
			}
			this.now = now;
			if (p !== this.position) {
				this.position = p;
				this.refresh();
			} else this.move();
		}
		if (this.position >= events.length && !this.running && this.flights.quiet(this.position, this.now)) {
			this.pause();
			return;
		}
		this.raf = requestAnimationFrame((t2) => this.tick(t2));
	}

	/**
	 * The first chapter after the first that starts in (`from`, `to`]: where playing stops. Not
	 * the one starting at the very next event from where playing began: the learner, standing
	 * before it (a question asked there, a chapter chosen), asked to watch it.
	 */
	private chapterStartIn(from: number, to: number): { index: number; at: number } | null {
		const chapters = this.rec?.chapters ?? [];
		for (let i = 1; i < chapters.length; i++) {
			const at = chapterStart(chapters, i);
			if (at > from && at <= to && at > this.playedFrom + 1) return { index: i, at };
		}
		return null;
	}

	private stopAtChapter(chapter: { index: number }): void {
		this.pause();
		this.chapterPause = chapter.index;
	}

	private refresh(): void {
		this.keepNear(this.position);
		this.frame = this.frames!.at(this.position);
		this.move();
		this.fetchContents();
		this.savePlace();
	}

	private move(): void {
		this.packets = this.flights!.packets(this.position, this.now);
		this.busyDisks = this.flights!.disks(this.position, this.now);
	}

	// Contents come from the worker; while playing, at most a few times a second.
	private fetchContents(): void {
		if (!this.api || this.elsewhere || !this.wanted.length || this.contentsTimer) return;
		this.contentsTimer = setTimeout(
			async () => {
				this.contentsTimer = null;
				const request = ++this.latestContents;
				try {
					// Following a live run, the newest blocks: the run is already past what the page shows.
					const c = await this.api!.contents(request, this.following ? Number.MAX_SAFE_INTEGER : this.position, this.wanted);
					if (request === this.latestContents) this.contents = c;
				} catch (e) {
					if (request === this.latestContents) this.error = message(e);
				}
			},
			this.playing ? 250 : 0
		);
	}
}
