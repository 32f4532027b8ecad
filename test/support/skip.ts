/**
 * `describe` when `reason` is undefined; otherwise `describe.skip`, after one warning
 * line naming what is skipped and why: a check this machine cannot run says so loudly
 * instead of passing silently.
 */
export function describeUnless(reason: string | undefined, what: string): jest.Describe {
  if (reason === undefined) return describe;
  console.warn(`SKIPPED ${what}: ${reason}`);
  return describe.skip;
}
