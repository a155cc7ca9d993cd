import { Lab, type LabOptions, type StepResult } from '../engine/lab';
import { labSpecOf, type ScenarioDocument } from './schema';

export interface FinalLine {
	final: true;
	validity: Record<string, string>;
	events: number;
}

/**
 * Runs a valid document headless, yielding what the command-line runner prints: one result per
 * step in document order (a parallel step's inner steps each on their own), then the final line.
 */
export function* runScenario(doc: ScenarioDocument, opts: LabOptions = {}): Generator<StepResult | FinalLine> {
	const lab = new Lab(labSpecOf(doc), opts);
	for (const [i, step] of doc.steps.entries()) yield* lab.run(step, String(i + 1));
	yield { final: true, validity: lab.validity(), events: lab.sim.emitted };
}
