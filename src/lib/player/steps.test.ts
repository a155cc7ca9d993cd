import { describe, expect, it } from 'vitest';
import { stepLabel, stepOfCause } from './steps';
import { nodeName } from '../engine/domain';

const system = { hosts: ['52', '54'], disks: [{ array: '56' }, { array: '58' }, { array: '56' }] };

describe('stepLabel', () => {
	it('names a crashed or restarted node by its kind, as the menus do', () => {
		expect(stepLabel({ op: 'crash', node: '52' }, system)).toBe('crash host 52');
		expect(stepLabel({ op: 'restart', node: '54' }, system)).toBe('restart host 54');
		expect(stepLabel({ op: 'crash', node: '58' }, system)).toBe('crash array 58');
		expect(stepLabel({ op: 'crash', node: '64' }, system)).toBe('crash switch 64');
		expect(stepLabel({ op: 'restart', node: '74' }, system)).toBe('restart allocator 74');
	});

	it('names the nodes of the steps inside a parallel step too', () => {
		expect(
			stepLabel({ op: 'parallel', steps: [{ op: 'crash', node: '56' }, { op: 'write', host: '52', object: 'V', block: 1, data: 'x' }] }, system)
		).toBe('at once: crash array 56; host 52 writes V[1]');
	});

	it('without the system, still knows the switch and the allocator by their fixed ids', () => {
		expect(stepLabel({ op: 'crash', node: '64' })).toBe('crash switch 64');
		expect(stepLabel({ op: 'crash', node: '52' })).toBe('crash node 52');
		expect(nodeName('99', system)).toBe('node 99');
	});

	it('labels the other steps as before', () => {
		expect(stepLabel({ op: 'fail', disk: 'd1' }, system)).toBe('fail disk d1');
		expect(stepLabel({ op: 'copy', target: 'VSS', blocks: 2 }, system)).toBe('copy 2 blocks of VSS');
	});
});

describe('stepOfCause', () => {
	it('finds an inner step of a parallel step', () => {
		const steps = [{ op: 'fail' as const, disk: 'd1' }, { op: 'parallel' as const, steps: [{ op: 'crash' as const, node: '52' }] }];
		expect(stepOfCause(steps, '2.1')).toEqual({ op: 'crash', node: '52' });
		expect(stepOfCause(steps, 'sys')).toBeUndefined();
	});
});
