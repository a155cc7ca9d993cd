/** One JSON line per figure, with the baseline measured in the same run beside it. */
export interface Figure {
	figure: string;
	/** Null when the figure could not be measured; its note says why. */
	value: number | null;
	unit: string;
	baseline?: { what: string; value: number; unit: string };
	/** value ÷ baseline, when both are times; baseline ÷ value is never used, to keep one reading. */
	ratio?: number | null;
	aim?: string;
	note?: string;
}

export function report(f: Figure): void {
	console.log(JSON.stringify(f));
}

/** Milliseconds taken by `fn`, best of `runs` (the first run also warms the JIT). */
export function best(runs: number, fn: () => void): number {
	let min = Infinity;
	for (let i = 0; i < runs; i++) {
		const t0 = performance.now();
		fn();
		min = Math.min(min, performance.now() - t0);
	}
	return round(min);
}

/** Runs `fn` once to warm the JIT, then `runs` times; the run that took least time. */
export function fastest<T extends { ms: number }>(fn: () => T, runs = 2): T {
	fn();
	const all = Array.from({ length: runs }, fn);
	return all.reduce((a, b) => (a.ms < b.ms ? a : b));
}

export function round(x: number, digits = 1): number {
	const p = 10 ** digits;
	return Math.round(x * p) / p;
}
