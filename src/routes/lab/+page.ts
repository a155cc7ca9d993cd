import { redirect } from '@sveltejs/kit';
import { base } from '$app/paths';

// Labs live in the player now, listed under "Your labs" on the home page.
export const load = () => redirect(308, `${base}/`);
