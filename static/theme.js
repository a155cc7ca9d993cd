// Applies the learner's stored theme before the first paint, so a page never flashes the other
// theme. It is a file, not an inline script, because the CSP allows only scripts of our own origin.
// The same logic, typed and tested, is src/lib/theme/theme.ts; theme.test.ts runs this file.
(function () {
	try {
		var choice = localStorage.getItem('snapshot-lab:theme');
		if (choice === 'light' || choice === 'dark') document.documentElement.setAttribute('data-theme', choice);
	} catch (e) {
		// No storage (blocked, private mode): the system's theme, as with no choice.
	}
})();
