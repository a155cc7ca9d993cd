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
