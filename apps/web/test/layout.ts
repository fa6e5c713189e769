import type { Page } from 'playwright-core';

/**
 * Whether the page is wider than the window (it would scroll sideways, on a phone most of
 * all), naming the elements that stick out furthest so a failure says where to look.
 * Null when it fits.
 */
export async function sidewaysOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
      .map((element) => ({ element, right: element.getBoundingClientRect().right }))
      .filter(({ right }) => right > width + 0.5)
      .sort((a, b) => b.right - a.right)
      .slice(0, 3)
      .map(({ element, right }) => {
        const id = element.id ? `#${element.id}` : '';
        const classes = [...element.classList].map((name) => `.${name}`).join('');
        return `${element.tagName.toLowerCase()}${id}${classes} reaches ${Math.round(right)} px`;
      });
    return `the page is ${document.documentElement.scrollWidth} px wide in a ${width} px window: ${culprits.join('; ')}`;
  });
}
