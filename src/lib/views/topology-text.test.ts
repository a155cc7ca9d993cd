import { describe, expect, it } from 'vitest';
import type { HopEvent } from '../engine/events';
import { causeText, directionText, hopLabel, hopSentence } from './topology-text';
import { nodeName } from '../engine/domain';

const hop = (over: Partial<HopEvent> = {}): HopEvent => ({
	t: 10,
	type: 'hop',
	msg: 4,
	from: '52',
	to: '64',
	arrive: 27,
	cls: 'io',
	what: 'write',
	target: 'M0',
	block: 3,
	reply: false,
	cause: '1.2',
	...over
});

describe('topology words', () => {
	it('names each node by what it is in Fig. 3', () => {
		const roster = { hosts: ['52', '54', '55'], disks: [{ array: '56' }] };
		expect(['52', '55', '64', '74', '56', '99'].map((id) => nodeName(id, roster))).toEqual([
			'host 52',
			'host 55',
			'switch 64',
			'allocator 74',
			'array 56',
			'node 99'
		]);
	});

	it('says what a message addresses, with or without a target or block', () => {
		expect(hopLabel(hop())).toBe('write M0[3]');
		expect(hopLabel(hop({ what: 'describe', target: 'V', block: undefined }))).toBe('describe V');
		expect(hopLabel(hop({ what: 'map-create', target: undefined, block: undefined }))).toBe('map-create');
		expect(hopLabel(hop({ what: 'read', target: undefined, block: 7 }))).toBe('read block 7');
	});

	it('tells a request from a reply, and a failed reply from a good one', () => {
		expect(directionText(hop())).toBe('request');
		expect(directionText(hop({ reply: true }))).toBe('reply');
		expect(directionText(hop({ reply: true, ok: true }))).toBe('reply, ok');
		expect(directionText(hop({ reply: true, ok: false }))).toBe('reply, failed');
	});

	it('names the step a message is for, or the allocator’s own work', () => {
		expect(causeText('6.2')).toBe('step 6.2');
		expect(causeText('sys')).toBe('the allocator’s own work');
	});

	it('puts everything a message carries in one sentence', () => {
		expect(hopSentence(hop({ from: '64', to: '56', via: 'description' }), { hosts: ['52', '54'], disks: [{ array: '56' }] }, 'foreground I/O')).toBe(
			'write M0[3], request, switch 64 → array 56, routed by a description, foreground I/O, for step 1.2'
		);
	});
});
