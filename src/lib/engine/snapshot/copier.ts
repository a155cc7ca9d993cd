import { Future, type Proc } from '../future';
import type { Ctx, Reply } from '../messages';
import { fail, OK } from '../messages';
import { copyBlock } from './coordinator';
import type { SnapshotPort } from './port';
import type { SnapshotOf } from '../layout/types';

/**
 * The background copy of Fig. 5 ([0027]–[0029], [0039]–[0040]) on the copier node: walks the
 * blocks whose bit is 0 in order (the coordinator grants them, step 94), copies each from the
 * source to the snapshot (step 96) and reports it so that its bit is set (step 100). At most
 * `maxInFlight` blocks are copied at once: the only throttle in the machinery (rule 6).
 *
 * It keeps no position of its own: every run starts from block 0 and the coordinator skips the
 * blocks already valid, so a copy interrupted by a crash resumes from the persisted map. Claims and
 * reports carry this node's incarnation (every request to a coordinator does): the coordinator then
 * knows that the grants of a copier that crashed are dead, even once the node is up again.
 *
 * @example
 * // copy 2 more invalid blocks of VSS, then stop (Fig. 4B after blocks 1 and 2)
 * const r = yield* backgroundCopy(port, { cause: '3', cls: 'copy' }, 'VSS', 2);
 */
export function* backgroundCopy(port: SnapshotPort, ctx: Ctx, target: string, limit: number | null): Proc<Reply> {
	const s = port.snapshotOf(target);
	if (!s) return fail(`${port.label} holds no description of ${target} as a snapshot`);
	const cctx: Ctx = { cause: ctx.cause, cls: 'copy' };
	let cursor = 0;
	let copied = 0;
	let inflight = 0;
	let error: string | null = null;
	let wake: Future<void> | null = null;
	const wanted = () => (limit === null ? Infinity : limit - copied - inflight);

	for (;;) {
		while (error === null && cursor < s.blocks && inflight < s.maxInFlight && wanted() > 0) {
			const count = Math.min(s.maxInFlight - inflight, wanted());
			const r = yield* port.coordinate(s.coordinator, { op: 'claim', target, from: cursor, count }, cctx);
			if (!r.ok) {
				error = `the coordinator did not grant blocks of ${target}: ${r.error}`;
				break;
			}
			cursor = r.next!;
			for (const b of r.blocks!) {
				inflight++;
				port.run(copyOne(port, cctx, s, target, b)).then((e) => {
					inflight--;
					if (e === null) copied++;
					else error ??= e;
					wake?.resolve();
				});
			}
		}
		if (inflight === 0) break;
		wake = new Future<void>();
		yield wake;
	}
	return error === null ? OK : fail(error);
}

/** Steps 96 and 100 for one block: null when its bit is now 1, else what went wrong. */
function* copyOne(port: SnapshotPort, ctx: Ctx, s: SnapshotOf, target: string, n: number): Proc<string | null> {
	const sim = port.sim;
	sim.emit({ t: sim.now, type: 'copy', node: port.id, target, block: n, phase: 'start', by: 'copy', cause: ctx.cause });
	const r = yield* copyBlock(port, { ...ctx, internal: true }, s, target, n);
	const rel = yield* port.coordinate(s.coordinator, { op: 'release', target, block: n, ok: r.ok }, ctx);
	const ok = r.ok && rel.ok;
	sim.emit({ t: sim.now, type: 'copy', node: port.id, target, block: n, phase: ok ? 'done' : 'failed', by: 'copy', cause: ctx.cause });
	if (!r.ok) return `the copy of block ${n} to ${target} failed: ${r.error}`;
	if (!rel.ok) return `the coordinator did not record block ${n} of ${target}: ${rel.error}`;
	return null;
}
