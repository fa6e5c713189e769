import type { SubmitFunction } from '@sveltejs/kit';

/**
 * use:enhance with a busy flag: the caller's button is disabled while the request runs.
 * Field values are kept after a refusal so nobody retypes a label; a success resets the form.
 */
export function submitting(
  setBusy: (busy: boolean) => void,
  after?: (type: 'success' | 'failure' | 'redirect' | 'error') => void,
  options: { keepValues?: boolean } = {},
): SubmitFunction {
  return () => {
    setBusy(true);
    return async ({ result, update }) => {
      await update({ reset: result.type === 'success' && !options.keepValues });
      setBusy(false);
      after?.(result.type);
    };
  };
}
