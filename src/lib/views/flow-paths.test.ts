import { describe, expect, it } from 'vitest';
import { CHARTS } from '../player/flow';
import { edgePath } from './flow-paths';

describe('edgePath', () => {
	it('route a bypass along its lane, outside the boxes', () => {
		const chart = CHARTS.fig6;
		const bypass = chart.edges.find((e) => e.lane !== undefined)!;
		const { d } = edgePath(chart, bypass);
		expect(d).toContain(`${bypass.lane},`);
		const widest = Math.max(...chart.nodes.filter((n) => n.kind !== 'rule').map((n) => n.x + n.w / 2));
		expect(bypass.lane!).toBeGreaterThan(widest);
	});
});
