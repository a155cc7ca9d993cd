import type { Step } from '../engine/lab';
import { nodeName, type NodeRoster } from '../engine/domain';

/**
 * A scenario step in a few words, as a chapter title or a log line names it. Given the system
 * (the document or the lab's spec), a crash or a restart names its node by kind.
 *
 * @example
 * stepLabel({ op: 'crash', node: '52' }, doc);   // 'crash host 52'
 */
export function stepLabel(step: Step, system?: NodeRoster): string {
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
			return `${step.op} ${nodeName(step.node, system)}`;
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
