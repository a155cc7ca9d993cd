import { Player } from './player.svelte';
import type { Step } from '$lib/engine/lab';
import { stepLabel } from '$lib/player/steps';
import { capacities } from '$lib/sandbox/capacity';
import { blankDocument, replaceDocument, type Doc, type Edit } from '$lib/sandbox/model';
import { canRedo, canUndo, commit, redo, redoLabel, start, undo, undoLabel, type History } from '$lib/sandbox/history';
import { SessionStore, storageMessage } from '$lib/sandbox/persist';

/**
 * Where the work stands with the browser's storage. `pending`: a change is being written;
 * `saved`: every change is stored; `failed`: storage refused, and the work lives only in this tab.
 */
export type SaveState = { kind: 'loading' } | { kind: 'pending' } | { kind: 'saved'; at: number } | { kind: 'failed'; error: string };

/** A refused edit: which part of the page tried it, and why it could not be made. */
export interface Refusal {
	where: string;
	error: string;
}

/**
 * The sandbox: one scenario document being built, its undo history, its autosave, and the
 * player that watches it. Components read its fields and change things only through its methods;
 * every accepted change replaces `history` (a new object, never mutated), is saved, and the
 * document is recorded again for the player at once.
 *
 * @example
 * const sandbox = new Sandbox();
 * onMount(() => { sandbox.start(); return () => sandbox.destroy(); });
 * sandbox.apply((doc) => addArray(doc, '58', 2, 8), 'disks');
 * sandbox.undo();
 */
export class Sandbox {
	readonly player = new Player({ ephemeral: true });
	history = $state.raw<History<Doc>>(start(blankDocument()));
	/** The last refused edit, shown where it was tried; cleared by the next accepted change. */
	refusal = $state.raw<Refusal | null>(null);
	/** What the last change did, for a polite status line ("Built V", "Undid: build V"). */
	notice = $state.raw<string>('');
	save = $state.raw<SaveState>({ kind: 'loading' });
	/** The document as last shared or saved as a file (JSON), or null if never. */
	shared = $state.raw<string | null>(null);
	/** True once the saved work (if any) has been read back and the player has it. */
	ready = $state(false);

	readonly doc = $derived(this.history.present.value);
	readonly capacities = $derived(capacities(this.history.present.value));
	readonly canUndo = $derived(canUndo(this.history));
	readonly canRedo = $derived(canRedo(this.history));
	readonly undoLabel = $derived(undoLabel(this.history));
	readonly redoLabel = $derived(redoLabel(this.history));

	/** How many times the document has changed: an edit, an action, an undo or a redo each count one. */
	edits = $state(0);

	private revision = $state(0);
	private savedRevision = $state(0);
	private store = new SessionStore();
	private writing: Promise<void> = Promise.resolve();

	/**
	 * True when leaving would lose work: a change not yet in storage, because the write is still
	 * under way or because storage refused it. Work that is stored comes back on reload, so it
	 * does not count as unsaved, shared or not.
	 */
	get unsaved(): boolean {
		return this.revision !== this.savedRevision;
	}

	/** True when the document differs from what was last shared or saved as a file. */
	get changedSinceShared(): boolean {
		return this.shared !== JSON.stringify(this.doc);
	}

	/** Starts the player and brings back the work saved in this browser, if any. In the browser only. */
	async start(): Promise<void> {
		this.player.start();
		try {
			const session = await this.store.load();
			if (session) {
				this.history = session.history;
				this.shared = session.shared;
			}
			this.save = { kind: 'saved', at: session?.savedAt ?? Date.now() };
		} catch (e) {
			this.save = { kind: 'failed', error: storageMessage(e) };
		}
		this.ready = true;
		await this.replay();
	}

	destroy(): void {
		this.player.destroy();
		this.store.close();
	}

	/**
	 * Tries an edit. Accepted, it becomes one undo step (unless it changed nothing); refused, the
	 * document stays as it was and `refusal` says why, for the part of the page named `where`.
	 * Returns whether the document is now as the edit wanted.
	 */
	apply(edit: (doc: Doc) => Edit, where = 'page'): boolean {
		const r = edit(this.doc);
		if (!r.ok) {
			this.refusal = { where, error: r.error };
			return false;
		}
		this.refusal = null;
		const next = commit(this.history, r.doc, r.label);
		if (next !== this.history) {
			this.notice = `Last change: ${r.label}.`;
			this.change(next, true);
		}
		return true;
	}

	/**
	 * Acts on the running system, as the player's menus do: `step` runs in the lab at once (at the
	 * last event; `fork`: at the position shown, the run forking there) and the lab's document,
	 * with the step in it, becomes one undo step. Resolves to why it cannot be done — the engine's
	 * own words — or null.
	 */
	async act(step: Step, fork: boolean): Promise<string | null> {
		const at = this.player.position;
		const why = await this.player.act(step, { fork });
		if (why) return why;
		const doc = this.player.rec?.doc;
		if (!doc) return null;
		const label = fork ? `${stepLabel(step, doc)}, forking the run at event ${at}` : stepLabel(step, doc);
		const next = commit(this.history, $state.snapshot(doc) as Doc, label);
		this.refusal = null;
		this.notice = `Last change: ${label}.`;
		// The player already shows the lab as the step left it: nothing to record again.
		if (next !== this.history) this.change(next, false);
		return null;
	}

	/** Replaces the whole document with another (a library scenario, a link, a file); one undo step. */
	startFrom(doc: unknown, label: string, where = 'start'): boolean {
		return this.apply((d) => replaceDocument(d, doc, label), where);
	}

	undo(): void {
		if (!this.canUndo) return;
		const label = this.undoLabel;
		this.refusal = null;
		this.notice = `Undone: ${label}.`;
		this.change(undo(this.history), true);
	}

	redo(): void {
		if (!this.canRedo) return;
		const label = this.redoLabel;
		this.refusal = null;
		this.notice = `Redone: ${label}.`;
		this.change(redo(this.history), true);
	}

	/** Notes that the document as it is now has been shared or saved as a file. */
	markShared(): void {
		this.shared = JSON.stringify(this.doc);
		this.persist();
	}

	/** Says why something asked of the page (a link, a file) could not be done; the document stays as it is. */
	refuse(where: string, error: string): void {
		this.refusal = { where, error };
	}

	/** Forgets a refusal (its form was changed or closed). */
	dismiss(where?: string): void {
		if (!where || this.refusal?.where === where) this.refusal = null;
	}

	private change(next: History<Doc>, replay: boolean): void {
		this.history = next;
		this.edits++;
		this.persist();
		if (replay) void this.replay();
	}

	// Writes go one after another, so that the last one stored is the last change made.
	private persist(): void {
		const revision = ++this.revision;
		const session = $state.snapshot({ version: 1 as const, history: this.history, shared: this.shared, savedAt: Date.now() });
		if (this.save.kind !== 'failed') this.save = { kind: 'pending' };
		this.writing = this.writing.then(async () => {
			try {
				await this.store.save(session);
				if (revision > this.savedRevision) this.savedRevision = revision;
				if (revision === this.revision) this.save = { kind: 'saved', at: session.savedAt };
			} catch (e) {
				this.save = { kind: 'failed', error: storageMessage(e) };
			}
		});
	}

	/**
	 * Records the document again. A player that stood at the end goes to the new end (the learner
	 * sees what the change did); one standing inside the run keeps its place.
	 */
	private async replay(): Promise<void> {
		const p = this.player;
		const atEnd = p.position >= p.length;
		await p.load($state.snapshot(this.doc), atEnd ? Number.MAX_SAFE_INTEGER : p.position);
	}
}
