import { describe, expect, it } from 'vitest';
import { Lab, type Step } from './lab';
import { fig3SnapshotSpec } from './fixtures';
import { MemoryBlockStore, type BlockStore } from './block-store';

/** A store whose blocks are "on disk" until loaded, as an IndexedDB-backed one is. */
class SlowStore implements BlockStore {
	private mem: MemoryBlockStore;
	private loaded = new Set<number>();
	loads = 0;
	constructor(
		readonly blockSize: number,
		readonly blocks: number
	) {
		this.mem = new MemoryBlockStore(blockSize, blocks);
	}
	load(block: number): PromiseLike<void> | undefined {
		if (this.loaded.has(block)) return undefined;
		this.loads++;
		return Promise.resolve().then(() => void this.loaded.add(block));
	}
	read(block: number): Uint8Array {
		if (!this.loaded.has(block)) throw new Error(`block ${block} read before it was loaded`);
		return this.mem.read(block);
	}
	write(block: number, data: Uint8Array, offset?: number): void {
		if (!this.loaded.has(block)) throw new Error(`block ${block} written before it was loaded`);
		this.mem.write(block, data, offset);
	}
}

const steps: Step[] = [
	{ op: 'write', host: '52', object: 'V', block: 3, data: 'D' },
	{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '54' },
	{ op: 'parallel', steps: [{ op: 'copy', target: 'VSS', all: true }, { op: 'write', host: '54', object: 'V', block: 3, data: 'E' }] },
	{ op: 'read', host: '54', object: 'VSS', block: 3 }
];

describe('a lab whose disks load asynchronously', () => {
	it('pauses while blocks load and gives the same event log and results as one in memory', async () => {
		const plain = new Lab(fig3SnapshotSpec());
		const want = steps.flatMap((s, i) => plain.run(s, String(i + 1)));
		const stores: SlowStore[] = [];
		const lab = new Lab(fig3SnapshotSpec(), {
			stores: (_d, bs, n) => {
				const s = new SlowStore(bs, n);
				stores.push(s);
				return s;
			}
		});
		const got = [];
		for (const [i, s] of steps.entries()) {
			const f = lab.issue(s, String(i + 1));
			for (;;) {
				lab.sim.runUntilIdle();
				if (!lab.sim.stalled) break;
				await Promise.all(lab.sim.takeStalls());
			}
			expect(f.settled).toBe(true);
			got.push(...f.value);
		}
		expect(got).toEqual(want);
		expect(JSON.stringify(lab.sim.log)).toBe(JSON.stringify(plain.sim.log));
		expect(stores.reduce((a, s) => a + s.loads, 0)).toBeGreaterThan(10);
	});

	it('tells a synchronous driver plainly that it must wait for storage', () => {
		const lab = new Lab(fig3SnapshotSpec(), { stores: (_d, bs, n) => new SlowStore(bs, n) });
		expect(() => lab.run(steps[0], '1')).toThrow('step 1 waits for storage: drive this lab with an asynchronous loop');
	});
});
