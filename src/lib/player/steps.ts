import type { Step } from '../engine/lab';

/** A scenario step in a few words, as a chapter title or a log line names it. */
export function stepLabel(step: Step): string {
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
			return `at once: ${step.steps.map(stepLabel).join('; ')}`;
		case 'fail':
		case 'repair':
			return `${step.op} disk ${step.disk}`;
		case 'crash':
		case 'restart':
			return `${step.op} node ${step.node}`;
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
