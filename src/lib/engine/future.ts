/**
 * A value that arrives later in simulated time. Unlike a Promise it settles synchronously, inside
 * the event that resolves it, so a run stays a plain loop over the event queue (no microtasks) and
 * stepping one event at a time shows every intermediate state.
 *
 * @example
 * const f = new Future<number>();
 * f.then((v) => console.log(v));
 * f.resolve(3); // logs 3 immediately
 */
export class Future<T> {
	settled = false;
	value!: T;
	// Typed loosely so that a Future<void> can be yielded where a Future<unknown> is expected.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	private callbacks: Array<(value: any) => void> | null = null;

	static of<T>(value: T): Future<T> {
		const f = new Future<T>();
		f.settled = true;
		f.value = value;
		return f;
	}

	resolve(value: T): void {
		if (this.settled) return;
		this.settled = true;
		this.value = value;
		const cbs = this.callbacks;
		this.callbacks = null;
		if (cbs) for (const cb of cbs) cb(value);
	}

	then(cb: (value: T) => void): void {
		if (this.settled) cb(this.value);
		else (this.callbacks ??= []).push(cb);
	}
}

/** Settles with every value, in the order given, once all have settled. */
export function all<T>(futures: Future<T>[]): Future<T[]> {
	const out = new Future<T[]>();
	const values = new Array<T>(futures.length);
	let left = futures.length;
	if (left === 0) out.resolve(values);
	futures.forEach((f, i) =>
		f.then((v) => {
			values[i] = v;
			if (--left === 0) out.resolve(values);
		})
	);
	return out;
}

/** A process: a generator that yields futures and is resumed with their values. */
export type Proc<T> = Generator<Future<unknown>, T, unknown>;

/**
 * Runs a process until it finishes. `alive` is asked before every resumption: a node that crashed
 * abandons its processes, so a reply that arrives afterwards resumes nothing.
 */
export function spawn<T>(proc: Proc<T>, alive?: () => boolean): Future<T> {
	const done = new Future<T>();
	const resume = (input: unknown): void => {
		let value = input;
		for (;;) {
			if (alive && !alive()) {
				proc.return(undefined as T);
				return;
			}
			const r = proc.next(value);
			if (r.done) {
				done.resolve(r.value);
				return;
			}
			const f = r.value;
			if (!f.settled) {
				f.then(resume);
				return;
			}
			value = f.value;
		}
	};
	resume(undefined);
	return done;
}

/** Typed wait inside a process: `const v = yield* wait(f)`. */
export function* wait<T>(f: Future<T>): Generator<Future<unknown>, T, unknown> {
	return (yield f as Future<unknown>) as T;
}
