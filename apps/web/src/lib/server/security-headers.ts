/**
 * Headers every response carries. The Content-Security-Policy itself comes from
 * SvelteKit (kit.csp in svelte.config.js), which adds a nonce to its own inline script.
 */
const SECURITY_HEADERS: Record<string, string> = {
  // Older browsers' equivalent of CSP frame-ancestors 'none': no clickjacking frames.
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Nothing leaves for other sites. Not 'no-referrer': with it, browsers send `Origin: null`
  // on form posts, and SvelteKit's origin check (CSRF) would refuse every post without JS.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), clipboard-write=(self)',
};

export function applySecurityHeaders(original: Response): Response {
  let response = original;
  try {
    response.headers.set('x-content-type-options', 'nosniff');
  } catch {
    // A response passed through from fetch() has immutable headers: copy it.
    response = new Response(original.body, original);
  }
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  // Pages can show secrets once (an app password, recovery codes): never store them.
  if (
    response.headers.get('content-type')?.startsWith('text/html') &&
    !response.headers.has('cache-control')
  ) {
    response.headers.set('cache-control', 'no-store');
  }
  return response;
}
