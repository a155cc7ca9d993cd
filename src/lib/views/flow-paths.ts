import { line, linkVertical } from 'd3';
import { nodeOf, type FlowChart, type FlowEdge, type FlowNode, type Side } from '../player/flow';

/** Where an arrow leaves or reaches a box. */
function port(n: FlowNode, side: Side): [number, number] {
	switch (side) {
		case 'top':
			return [n.x, n.y - n.h / 2];
		case 'bottom':
			return [n.x, n.y + n.h / 2];
		case 'left':
			return [n.x - n.w / 2, n.y];
		case 'right':
			return [n.x + n.w / 2, n.y];
	}
}

const vertical = linkVertical<{ source: [number, number]; target: [number, number] }, [number, number]>()
	.source((d) => d.source)
	.target((d) => d.target);
const polyline = line();

/**
 * The SVG path of an arrow and where its yes/no label goes: a d3 vertical link from bottom to
 * top, else right angles (along `lane` when the arrow has one).
 *
 * @example
 * edgePath(CHARTS.fig6, CHARTS.fig6.edges[0]).d;   // 'M180,59C180,…'
 */
export function edgePath(chart: FlowChart, edge: FlowEdge): { d: string; label: [number, number] } {
	const a = nodeOf(chart, edge.from)!;
	const b = nodeOf(chart, edge.to)!;
	const out = edge.out ?? 'bottom';
	const inn = edge.in ?? 'top';
	const p = port(a, out);
	const q = port(b, inn);
	let points: Array<[number, number]>;
	if (edge.lane !== undefined)
		points = [p, [edge.lane, p[1]], [edge.lane, q[1]], q];
	else if (out === 'bottom' && inn === 'top') {
		const d = vertical({ source: p, target: q }) ?? '';
		return { d, label: [p[0] + 8, p[1] + 13] };
	} else if (inn === 'top') points = [p, [q[0], p[1]], q];
	else points = [p, [p[0], q[1]], q];
	const d = polyline(points) ?? '';
	const side = out === 'left' ? -1 : out === 'right' ? 1 : 0;
	const label: [number, number] = side ? [p[0] + side * 14, p[1] - 6] : [p[0] + 8, p[1] + 13];
	return { d, label };
}
