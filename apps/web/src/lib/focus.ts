/**
 * Moves keyboard focus to an element as soon as it appears: a result that replaced the
 * control just used (a closed dialog, a removed row) would otherwise leave focus on <body>,
 * and a keyboard or screen-reader user would start again from the top of the page.
 * The element needs tabindex="-1" unless it is focusable already.
 */
export function focusOnMount(node: HTMLElement, enabled: boolean = true) {
  if (enabled) node.focus();
}

/** Focuses the element with this id once the DOM has settled (after a dialog closed). */
export function focusById(id: string, fallbackId?: string): void {
  requestAnimationFrame(() => {
    const target =
      document.getElementById(id) ?? (fallbackId ? document.getElementById(fallbackId) : null);
    target?.focus();
  });
}
