import { describe, expect, it } from 'vitest';
import { newestPlace } from './places';

describe('newestPlace', () => {
	it('takes the record saved last, whichever keeps it', () => {
		expect(newestPlace({ at: 40, t: 2000 }, { at: 12, t: 1000 })).toBe(40);
		expect(newestPlace({ at: 40, t: 1000 }, { at: 12, t: 2000 })).toBe(12);
		expect(newestPlace(undefined, { at: 12, t: 2000 })).toBe(12);
		expect(newestPlace({ at: 40, t: 1000 }, {})).toBe(40);
		expect(newestPlace(undefined, {})).toBeUndefined();
	});
});
