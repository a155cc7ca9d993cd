#!/usr/bin/env node
// The single entry point of `npm test`: unit tests, production build, browser tests, and one
// summary line at the very end that CI and humans can both read.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const CHROMIUM = '/usr/bin/chromium';
const resultsDir = join(root, 'test-results');
const vitestJson = join(resultsDir, 'vitest.json');
const playwrightJson = join(resultsDir, 'playwright.json');

const totals = { passed: 0, failed: 0, skipped: 0 };

/** @param {string} title */
function banner(title) {
	console.log(`\n━━ ${title} ━━`);
}

/**
 * Runs a command with inherited output; returns its exit code (a spawn error counts as 1).
 * @param {string} cmd
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 * @returns {number}
 */
function run(cmd, args, env = {}) {
	const result = spawnSync(cmd, args, {
		stdio: 'inherit',
		env: { ...process.env, ...env }
	});
	if (result.error) {
		console.error(`Could not start ${cmd}: ${result.error.message}`);
		return 1;
	}
	// A signal-killed child has status null: that is a crash, not a pass.
	return result.status ?? 1;
}

/**
 * @param {string} file
 * @returns {any} the parsed report, or undefined when the file is missing or half-written
 */
function readJson(file) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

function summary() {
	const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
	return `${totals.passed} passed, ${totals.failed} failed${skipped}`;
}

/** @returns {never} */
function finish() {
	console.log('');
	console.log(summary());
	process.exit(totals.failed > 0 ? 1 : 0);
}

/** Returns true when Chromium is available for Playwright. */
function ensureChromium() {
	if (existsSync(CHROMIUM)) return true;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!isRoot) {
		console.error(
			`Browser tests need Debian's Chromium at ${CHROMIUM}, and it is missing.\n` +
				'Install it with:  sudo apt-get install -y chromium\n' +
				'then run `npm test` again.'
		);
		totals.failed += 1;
		finish();
	}
	banner(`installing Chromium (${CHROMIUM} is missing)`);
	const env = { DEBIAN_FRONTEND: 'noninteractive' };
	if (run('apt-get', ['update'], env) !== 0 || run('apt-get', ['install', '-y', 'chromium'], env) !== 0) {
		console.error('Installing Chromium with apt-get failed; browser tests cannot run.');
		return false;
	}
	if (!existsSync(CHROMIUM)) {
		console.error(`apt-get finished but ${CHROMIUM} still does not exist.`);
		return false;
	}
	return true;
}

function runVitest() {
	banner('unit tests (vitest)');
	rmSync(vitestJson, { force: true });
	const code = run('npx', [
		'vitest',
		'run',
		'--passWithNoTests',
		'--reporter=default',
		'--reporter=json',
		`--outputFile.json=${vitestJson}`
	]);
	const report = readJson(vitestJson);
	let passed = 0;
	let failed = 0;
	let skipped = 0;
	if (report) {
		passed = report.numPassedTests ?? 0;
		failed = report.numFailedTests ?? 0;
		skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
		// A test file that fails to load reports no failed test, only a failed file: count it once.
		for (const file of report.testResults ?? []) {
			const tests = file.assertionResults ?? [];
			if (file.status === 'failed' && !tests.some((/** @type {any} */ t) => t.status === 'failed')) failed += 1;
		}
	}
	if (code !== 0 && failed === 0) {
		console.error(`vitest exited with code ${code} without reporting a failed test; counting it as a failure.`);
		failed = 1;
	}
	totals.passed += passed;
	totals.failed += failed;
	totals.skipped += skipped;
}

function runPlaywright() {
	banner('browser tests (playwright)');
	rmSync(playwrightJson, { force: true });
	const code = run('npx', ['playwright', 'test', '--reporter=list,json'], {
		PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson
	});
	const report = readJson(playwrightJson);
	let passed = 0;
	let failed = 0;
	let skipped = 0;
	if (report?.stats) {
		passed = (report.stats.expected ?? 0) + (report.stats.flaky ?? 0);
		failed = report.stats.unexpected ?? 0;
		skipped = report.stats.skipped ?? 0;
		// Errors outside any test (a web server that never came up, a broken config) fail the run too.
		if (failed === 0 && Array.isArray(report.errors) && report.errors.length > 0) failed = report.errors.length;
	}
	if (code !== 0 && failed === 0) {
		console.error(`playwright exited with code ${code} without reporting a failed test; counting it as a failure.`);
		failed = 1;
	}
	totals.passed += passed;
	totals.failed += failed;
	totals.skipped += skipped;
}

mkdirSync(resultsDir, { recursive: true });

banner('browser');
const haveChromium = ensureChromium();
if (haveChromium) console.log(`Using ${CHROMIUM}`);
else totals.failed += 1;

banner('svelte-kit sync');
if (run('npx', ['svelte-kit', 'sync']) !== 0) {
	console.error('svelte-kit sync failed.');
	totals.failed += 1;
}

runVitest();

banner('production build (vite build)');
if (run('npx', ['vite', 'build']) !== 0) {
	console.error('The build failed; browser tests need it, so they were not run.');
	totals.failed += 1;
	finish();
}

if (haveChromium) runPlaywright();
else console.error('Browser tests were not run because Chromium is unavailable.');

finish();
