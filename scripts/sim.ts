// The headless runner: `npm run --silent sim -- FILE` (or `-` for standard input).
// Prints JSON Lines on standard output; a rejected document exits 2 with one message on standard error.
import { readFileSync } from 'node:fs';
import { parseScenario } from '../src/lib/scenario/schema';
import { runScenario } from '../src/lib/scenario/run';

function reject(message: string): never {
	process.stderr.write(`scenario rejected: ${message}\n`);
	process.exit(2);
}

const file = process.argv[2];
if (!file || process.argv.length > 3) reject('usage: npm run --silent sim -- FILE (or - for standard input)');

let text: string;
try {
	text = readFileSync(file === '-' ? 0 : file, 'utf8');
} catch (e) {
	reject(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

const parsed = parseScenario(text);
if (!parsed.ok) reject(parsed.error);

let out = '';
for (const line of runScenario(parsed.doc, { keepLog: false })) {
	out += JSON.stringify(line) + '\n';
	if (out.length > 1 << 16) {
		process.stdout.write(out);
		out = '';
	}
}
process.stdout.write(out);
