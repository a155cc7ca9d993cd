// The app is a static site: every route is rendered at build time and served as plain files.
export const prerender = true;
