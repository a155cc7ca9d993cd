/**
 * Seeded pseudo-random numbers (sfc32, seeded through splitmix32). The engine draws every latency
 * from one of these, in event order, so a scenario and its seed decide the whole run.
 *
 * @example
 * const rng = new Rng(7);
 * rng.int(10, 20); // the same number on every machine for seed 7
 */
export class Rng {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	constructor(seed: number) {
		let s = seed >>> 0;
		const next = () => {
			s = (s + 0x9e3779b9) | 0;
			let z = s;
			z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
			z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
			return (z ^ (z >>> 16)) >>> 0;
		};
		this.a = next();
		this.b = next();
		this.c = next();
		this.d = next();
		for (let i = 0; i < 12; i++) this.u32();
	}

	/** A uniformly distributed unsigned 32-bit integer. */
	u32(): number {
		const t = (((this.a + this.b) | 0) + this.d) | 0;
		this.d = (this.d + 1) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.c = (this.c + t) | 0;
		return t >>> 0;
	}

	/** An integer in [lo, hi], both ends included. */
	int(lo: number, hi: number): number {
		return lo + (this.u32() % (hi - lo + 1));
	}
}
