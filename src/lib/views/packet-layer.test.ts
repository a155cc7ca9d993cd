import { describe, expect, it } from 'vitest';
import { byLook, packetAt, type PlacedPacket } from './packet-layer';

const at = (index: number, x: number, y: number, cls: PlacedPacket['cls'] = 'io', reply = false): PlacedPacket => ({ index, x, y, cls, reply });

describe('packetAt', () => {
	it('finds the packet whose symbol is under the point, and none away from every packet', () => {
		const packets = [at(1, 10, 10), at(2, 50, 50)];
		expect(packetAt(packets, 13, 7)).toBe(1);
		expect(packetAt(packets, 50, 57)).toBe(2);
		expect(packetAt(packets, 30, 30)).toBeNull();
		expect(packetAt([], 0, 0)).toBeNull();
	});

	it('of overlapping packets, picks the one drawn last, as the top shape of a picture would be', () => {
		expect(packetAt([at(7, 10, 10), at(9, 12, 10)], 11, 10)).toBe(9);
	});
});

describe('byLook', () => {
	it('groups packets by class and by request or reply, keeping their order within a group', () => {
		const groups = byLook([at(1, 0, 0, 'copy'), at(2, 0, 0, 'io'), at(3, 0, 0, 'copy', true), at(4, 0, 0, 'copy')]);
		expect([...groups.keys()]).toEqual(['copy:0', 'io:0', 'copy:1']);
		expect(groups.get('copy:0')!.map((p) => p.index)).toEqual([1, 4]);
	});
});
