/**
 * What the site layout wraps around a page. A page framed by another site (the player with
 * `embed=1`) sets `embedded`, and the layout then leaves out its skip link, header and footer: the
 * framing page has its own, and an iframe has no room for two.
 */
export const siteChrome = $state({ embedded: false });
