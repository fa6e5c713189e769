import type { Page } from 'playwright-core';

/**
 * A text field the stylesheet missed renders as the browser's bare box: about 21 px high,
 * 1–2 px of padding, square, in the browser's own colours (white even in dark mode). A
 * screenshot shows it at once, a test only if it measures: this measures every field the
 * page shows (text, email, password, date, search, code fields and selects).
 */
export const MIN_FIELD_HEIGHT_PX = 36;

/** What is wrong with the visible fields' styling, in words; empty when nothing is. */
export async function unstyledFields(page: Page): Promise<string[]> {
  return page.evaluate((minHeight) => {
    // The colour the stylesheet gives fields, resolved the same way the fields' is.
    const probe = document.createElement('div');
    probe.style.background = 'var(--surface)';
    document.body.append(probe);
    const surface = getComputedStyle(probe).backgroundColor;
    probe.remove();
    const notText = ['checkbox', 'radio', 'hidden', 'submit', 'button', 'reset', 'file', 'range'];
    const problems: string[] = [];
    for (const field of document.querySelectorAll<HTMLElement>('input, select, textarea')) {
      if (field instanceof HTMLInputElement && notText.includes(field.type)) continue;
      const box = field.getBoundingClientRect();
      const style = getComputedStyle(field);
      // Not shown (a closed <details>), or clipped away: kept for password managers only.
      if (box.width === 0 || box.height === 0 || style.clipPath !== 'none') continue;
      const name = `${field.tagName.toLowerCase()}#${field.id || field.getAttribute('name') || field.getAttribute('type') || '?'}`;
      if (box.height < minHeight) problems.push(`${name} is ${Math.round(box.height)} px high`);
      if (parseFloat(style.paddingLeft) < 6) {
        problems.push(`${name} has ${style.paddingLeft} of padding`);
      }
      if (parseFloat(style.borderTopLeftRadius) < 4) problems.push(`${name} has square corners`);
      if (style.backgroundColor !== surface) {
        problems.push(`${name} is ${style.backgroundColor}, not the surface ${surface}`);
      }
    }
    return problems;
  }, MIN_FIELD_HEIGHT_PX);
}

/** The same in the light and the dark scheme; the page is left light. */
export async function unstyledFieldsLightAndDark(page: Page): Promise<string[]> {
  const problems: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    problems.push(...(await unstyledFields(page)).map((problem) => `${colorScheme}: ${problem}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}
