import type { Step } from '../engine/lab';
import { ALLOCATOR_ID, SWITCH_ID } from '../engine/domain';

/** What a step's label needs to know of the system to name its nodes: a document or a lab's spec. */
export interface NodeKinds {
	hosts: readonly string[];
	disks: ReadonlyArray<{ array: string }>;
}

/**
 * A node by its kind, as the menus and the narration name it: "host 52", "array 56", "switch 64",
 * "allocator 74". Without the system, an id that is not the switch's or the allocator's is a "node".
 *
 * @example
 * nodeLabel('56', { hosts: ['52', '54'], disks: [{ array: '56' }] });   // 'array 56'
 */
export function nodeLabel(id: string, system?: NodeKinds): string {
	if (id === SWITCH_ID) return `switch ${id}`;
	if (id === ALLOCATOR_ID) return `allocator ${id}`;
	if (system?.hosts.includes(id)) return `host ${id}`;
	if (system?.disks.some((d) => d.array === id)) return `array ${id}`;
	return `node ${id}`;
}

/**
 * A scenario step in a few words, as a chapter title or a log line names it. Given the system
 * (the document or the lab's spec), a crash or a restart names its node by kind.
 *
 * @example
 * stepLabel({ op: 'crash', node: '52' }, doc);   // 'crash host 52'
 */
export function stepLabel(step: Step, system?: NodeKinds): string {
	switch (step.op) {
		case 'write':
			return `host ${step.host} writes ${step.object}[${step.block}]${step.whole ? ' (whole block)' : ''}`;
		case 'read':
			return `host ${step.host} reads ${step.object}[${step.block}]`;
		case 'snapshot':
			return `snapshot ${step.source} into ${step.target}`;
		case 'copy':
			return step.all ? `copy the rest of ${step.target}` : `copy ${step.blocks ?? 0} block${step.blocks === 1 ? '' : 's'} of ${step.target}`;
		case 'detach':
		case 'remove':
		case 'restore':
			return `${step.op} ${step.target}`;
		case 'parallel':
			return `at once: ${step.steps.map((s) => stepLabel(s, system)).join('; ')}`;
		case 'fail':
		case 'repair':
			return `${step.op} disk ${step.disk}`;
		case 'crash':
		case 'restart':
			return `${step.op} ${nodeLabel(step.node, system)}`;
		case 'grow':
			return `grow ${step.object} by ${step.child}`;
		case 'shrink':
			return `shrink ${step.object} by its last part`;
		case 'add-mirror':
			return `add ${step.child} as a mirror of ${step.object}`;
		case 'remove-mirror':
			return `remove the mirror ${step.child} from ${step.object}`;
	}
}

/**
 * The step a cause names: "6.2" is the second inner step of step 6; "sys" (the system's own
 * work) and a number the document does not have name none.
 *
 * @example
 * stepOfCause(doc.steps, '3');    // the third step
 * stepOfCause(doc.steps, '4.2');  // the second step of the parallel step 4
 */
export function stepOfCause(steps: readonly Step[], cause: string): Step | undefined {
	if (cause === 'sys') return undefined;
	let list = steps;
	let step: Step | undefined;
	for (const part of cause.split('.')) {
		step = list[Number(part) - 1];
		if (!step) return undefined;
		list = step.op === 'parallel' ? step.steps : [];
	}
	return step;
}
