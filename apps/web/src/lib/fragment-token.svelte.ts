import { afterNavigate, replaceState } from '$app/navigation';
import { resolve } from '$app/paths';

/**
 * The token a mailed link carries in its fragment (`/reset-password#token=…`): a fragment
 * never reaches a server or a log. Call it while the page's component starts, with the
 * page's own route. `token` is null until the page runs in the browser and whenever the
 * link carried none; `read` turns true once the fragment has been looked at, so the page
 * can offer a field to paste the token instead.
 */
export function fragmentToken(page: '/sign-up/confirm' | '/reset-password') {
  let token: string | null = $state(null);
  let read = $state(false);
  // After the first navigation (not onMount): the router must be ready for replaceState.
  afterNavigate(() => {
    if (read) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, never changed
    const found = new URLSearchParams(location.hash.slice(1)).get('token');
    if (found) {
      token = found;
      // Take it out of the address bar and history, so it is not shared or bookmarked.
      replaceState(resolve(page), {});
    }
    read = true;
  });
  return {
    get token() {
      return token;
    },
    get read() {
      return read;
    },
  };
}
