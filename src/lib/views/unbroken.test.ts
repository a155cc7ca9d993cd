import { describe, expect, it } from 'vitest';
import { unbroken } from './unbroken';

describe('unbroken', () => {
	it('keeps each RAID level’s name whole, and the text around it as it was', () => {
		const runs = unbroken('Fault: two disks of a RAID-5 snapshot fail, not RAID-4 or RAID-10');
		expect(runs.filter((r) => r.keep).map((r) => r.text)).toEqual(['RAID-5', 'RAID-4', 'RAID-10']);
		expect(runs.map((r) => r.text).join('')).toBe('Fault: two disks of a RAID-5 snapshot fail, not RAID-4 or RAID-10');
	});

	it('leaves a text without a layout name as one run that may wrap anywhere', () => {
		expect(unbroken('copy-on-write')).toEqual([{ text: 'copy-on-write', keep: false }]);
		expect(unbroken('')).toEqual([{ text: '', keep: false }]);
	});

	it('keeps a name that is the whole text', () => {
		expect(unbroken('RAID-5')).toEqual([{ text: 'RAID-5', keep: true }]);
	});
});
