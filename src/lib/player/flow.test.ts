import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record, type Recording } from './recording';
import { CHARTS, describeFlow, FIGURES, flowAt, nodeOf, recentFigure, type FigureId } from './flow';

function load(path: string): Recording {
	const p = parseScenario(readFileSync(`src/lib/scenario/${path}.json`, 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

const tour = load('examples/tour');

/** Where a chapter's events are: from the event after its start to the next chapter's start. */
function chapter(rec: Recording, title: string): [number, number] {
	const i = rec.chapters.findIndex((c) => c.title === title);
	if (i < 0) throw new Error(`no chapter ${title}`);
	return [rec.chapters[i].position + 1, rec.chapters[i + 1]?.position ?? rec.events.length];
}

/** The lit steps a learner sees stepping through positions [from, to], each once, in order. */
function litSequence(rec: Recording, [from, to]: [number, number], figure?: FigureId): string[] {
	const out: string[] = [];
	for (let p = from; p <= to; p++) {
		const at = flowAt(rec, p);
		if (!at || !at.current || (figure && at.figure !== figure)) continue;
		const s = at.answer ? `${at.node}:${at.answer}` : at.node;
		if (out.at(-1) !== s) out.push(s);
	}
	return out;
}

describe('flowAt on the tour', () => {
	it('lights nothing before the first snapshot transaction', () => {
		const [, end] = chapter(tour, 'Host 52 writes V');
		for (let p = 0; p <= end; p++) expect(flowAt(tour, p)).toBeNull();
	});

	it('lights Fig. 6 in order at the copy-on-write chapter: bit 0, copy to VSS, set the bit, then the write', () => {
		const span = chapter(tour, 'Copy-on-write');
		expect(litSequence(tour, span)).toEqual(['f6-start', 'f6-112:no', 'f6-114', 'f6-116', 'f6-120', 'f6-end']);
		// Every step lit there is about block 3 of V, the block host 52 writes.
		for (let p = span[0] + 1; p < span[1]; p++) {
			const at = flowAt(tour, p);
			if (at) expect(at.block).toBe(3);
		}
	});

	it('follows the path taken: the "no" arrow out of step 112, not the "yes" bypass', () => {
		const [from, to] = chapter(tour, 'Copy-on-write');
		let at = null;
		for (let p = from; p <= to && at?.node !== 'f6-120'; p++) at = flowAt(tour, p);
		expect(at?.node).toBe('f6-120');
		expect(at?.trail.map((t) => t.node)).toEqual(['f6-start', 'f6-112', 'f6-114', 'f6-116', 'f6-120']);
		expect(at?.edges).toContain('f6-112>f6-114');
		expect(at?.edges).not.toContain('f6-112>f6-120');
	});

	it('lights the background copy of Fig. 5 block by block, each block granted, copied, then its bit set', () => {
		const span = chapter(tour, 'The background copy starts');
		const seq = litSequence(tour, span);
		expect(seq[0]).toBe('f5-90');
		expect(seq).toContain('f5-94:no');
		expect(seq.indexOf('f5-96')).toBeGreaterThan(seq.indexOf('f5-94:no'));
		expect(seq.indexOf('f5-100')).toBeGreaterThan(seq.indexOf('f5-96'));
		// Per block, the trail is 92 → 94 (no) → 96 → 100 → 102.
		let last = null;
		for (let p = span[0]; p <= span[1]; p++) {
			const at = flowAt(tour, p);
			if (at?.node === 'f5-102' && at.block === 0) last = at;
		}
		expect(last?.trail.map((t) => t.node)).toEqual(['f5-92', 'f5-94', 'f5-96', 'f5-100', 'f5-102']);
	});

	it('takes [0034]’s two ways: VSS[3] from VSS (bit 1), VSS[2] from V with the source block held (bit 0)', () => {
		const span = chapter(tour, 'Host 54 reads the snapshot');
		const seq = litSequence(tour, span, 'read');
		const first = seq.slice(0, seq.indexOf('rd-end') + 1);
		expect(first).toEqual(['rd-start', 'rd-ask', 'rd-vn:yes', 'rd-snap', 'rd-end']);
		const second = seq.slice(first.length);
		expect(second.slice(0, 3)).toEqual(['rd-start', 'rd-ask', 'rd-vn:no']);
		expect(second).toContain('rd-r3');
		expect(second).toContain('rd-src');
		expect(second).not.toContain('rd-snap');
	});

	it('lights Fig. 7 for a partial write (ask, copy at 134, reply) and rule 2 for a whole-block one', () => {
		const span = chapter(tour, 'Host 54 writes the snapshot');
		const seq = litSequence(tour, span);
		const partial = seq.slice(0, seq.indexOf('f7-end') + 1);
		expect(partial).toEqual(['f7-130', 'f7-ask', 'f7-vn:no', 'f7-134', 'f7-set', 'f7-reply', 'f7-write', 'f7-end']);
		const whole = seq.slice(partial.length);
		expect(whole).toEqual(['f7-130', 'f7-r2', 'f7-write', 'f7-r2', 'f7-end']);
		// The decision the whole-block write took has no event of its own: the trail shows it was "yes".
		let at = null;
		for (let p = span[0]; p <= span[1]; p++) {
			const a = flowAt(tour, p);
			if (a?.node === 'f7-write' && a.block === 6) at = a;
		}
		expect(at?.trail).toContainEqual({ node: 'f7-whole', answer: 'yes' });
		expect(at?.edges).toContain('f7-whole>f7-write');
	});

	it('keeps the last step lit, not current, between a transaction’s end and the next step', () => {
		const [, end] = chapter(tour, 'Copy-on-write');
		// The chapter's last event is the step's end: the write's completion stays lit.
		const at = flowAt(tour, end);
		expect(at?.node).toBe('f6-end');
		expect(at?.current).toBe(false);
		// The next step's start clears it, but the chart last used is still known.
		expect(flowAt(tour, end + 1)).toBeNull();
		expect(recentFigure(tour, end + 1)).toBe('fig6');
		expect(recentFigure(tour, 10)).toBeNull();
	});
});

describe('flowAt on other scenarios', () => {
	it('lights rule 1 when the copier finds a block already being copied on write', () => {
		const rec = load('guided/10-race-cow-coherent');
		const nodes = new Set<string>();
		for (let p = 1; p <= rec.events.length; p++) {
			const at = flowAt(rec, p);
			if (at?.current) nodes.add(at.node);
		}
		expect(nodes).toContain('f5-r1');
		expect(nodes).toContain('f6-114');
	});

	it('under the literal protocol a whole-block write asks nobody: Fig. 7 goes straight to the write', () => {
		const rec = load('guided/10-race-overwrite-literal');
		const seq = litSequence(rec, [1, rec.events.length], 'fig7');
		expect(seq.slice(0, 2)).toEqual(['f7-130', 'f7-write']);
		expect(seq).not.toContain('f7-r2');
	});
});

describe('charts', () => {
	it('number every patent step the text numbers, and only those', () => {
		const refs = (f: FigureId) => CHARTS[f].nodes.filter((n) => /^\d+$/.test(n.ref)).map((n) => n.ref);
		expect(refs('fig5')).toEqual(['90', '92', '94', '96', '100', '102']);
		expect(refs('fig6')).toEqual(['112', '114', '116', '120']);
		expect(refs('fig7')).toEqual(['130', '134']);
		expect(refs('read')).toEqual([]);
	});

	it('have every arrow between boxes that exist, and every decision two labelled ways out', () => {
		for (const f of FIGURES) {
			const chart = CHARTS[f];
			for (const e of chart.edges) {
				expect(nodeOf(chart, e.from), `${f} ${e.from}`).toBeDefined();
				expect(nodeOf(chart, e.to), `${f} ${e.to}`).toBeDefined();
			}
			for (const n of chart.nodes.filter((n) => n.kind === 'decision')) {
				const labels = chart.edges.filter((e) => e.from === n.id).map((e) => e.label).sort();
				expect(labels, n.id).toEqual(['no', 'yes']);
			}
		}
	});

	it('keep every box inside the chart and no two boxes overlapping', () => {
		for (const f of FIGURES) {
			const { nodes, width, height } = CHARTS[f];
			for (const n of nodes) {
				expect(n.x - n.w / 2, n.id).toBeGreaterThanOrEqual(0);
				expect(n.x + n.w / 2, n.id).toBeLessThanOrEqual(width);
				expect(n.y + n.h / 2, n.id).toBeLessThanOrEqual(height);
			}
			for (const a of nodes)
				for (const b of nodes) {
					if (a === b) continue;
					const apart = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 || Math.abs(a.y - b.y) >= (a.h + b.h) / 2;
					expect(apart, `${a.id} / ${b.id}`).toBe(true);
				}
		}
	});

});

describe('describeFlow', () => {
	it('names the figure, the patent step and the block', () => {
		const [from, to] = chapter(tour, 'Copy-on-write');
		let at = null;
		for (let p = from; p <= to && at?.node !== 'f6-114'; p++) at = flowAt(tour, p);
		expect(describeFlow(at!)).toBe('Fig. 6, step 114: Copy block n of V to block n of VSS (n = 3 of VSS).');
	});

	it('says a rule is the simulator’s, not the patent’s', () => {
		const [from, to] = chapter(tour, 'Host 54 writes the snapshot');
		let at = null;
		for (let p = from; p <= to && at?.node !== 'f7-r2'; p++) at = flowAt(tour, p);
		expect(describeFlow(at!)).toMatch(/^Fig\. 7, rule 2 \(the simulator’s, not the patent’s\)/);
	});
});

describe('chart references', () => {
	it('fit inside the chart: a reference right of a box needs room there', () => {
		// About 6.5 units per character of the 10.5-unit monospace reference.
		for (const f of FIGURES)
			for (const n of CHARTS[f].nodes) {
				if (n.kind === 'rule' || n.refAt === 'above') continue;
				const right = n.kind === 'decision' ? n.x + n.w / 2 - 2 : n.x + n.w / 2 + 3;
				expect(right + n.ref.length * 6.5, `${f} ${n.id}`).toBeLessThanOrEqual(CHARTS[f].width);
			}
	});
});
