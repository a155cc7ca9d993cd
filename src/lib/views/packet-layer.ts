import type { TrafficClass } from '$lib/engine/events';

/**
 * A message drawn where it is on its link, in the picture's own units (the topology's viewBox).
 *
 * @example
 * const p: PlacedPacket = { index: 412, x: 120.5, y: 88, cls: 'copy', reply: false };
 */
export interface PlacedPacket {
	/** Its index in the event log: what the list of messages and the tooltip know it by. */
	index: number;
	x: number;
	y: number;
	cls: TrafficClass;
	reply: boolean;
}

/** How near (in picture units) a pointer must be to a packet's centre to be over it: the size of its symbol. */
export const PACKET_REACH = 8;

/**
 * The packet under a point of the picture: of those within `reach`, the one drawn last (on top),
 * as a pointer over overlapping SVG shapes would find it. Null when there is none.
 *
 * @example
 * packetAt([{ index: 3, x: 10, y: 10, cls: 'io', reply: false }], 12, 9);   // 3
 */
export function packetAt(packets: readonly PlacedPacket[], x: number, y: number, reach = PACKET_REACH): number | null {
	for (let i = packets.length - 1; i >= 0; i--) {
		const p = packets[i];
		if (Math.abs(p.x - x) <= reach && Math.abs(p.y - y) <= reach) return p.index;
	}
	return null;
}

/**
 * The packets in the order to paint them: grouped by how they look, so that a canvas sets its
 * colours once per group rather than once per packet, each group in the order drawn.
 *
 * @example
 * byLook(packets).get('copy:0');   // the copy requests, in order
 */
export function byLook(packets: readonly PlacedPacket[]): Map<string, PlacedPacket[]> {
	const out = new Map<string, PlacedPacket[]>();
	for (const p of packets) {
		const key = `${p.cls}:${p.reply ? 1 : 0}`;
		let group = out.get(key);
		if (!group) out.set(key, (group = []));
		group.push(p);
	}
	return out;
}
