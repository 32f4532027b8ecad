import { captureStackTrace } from 'cdktf/lib/tokens/private/stack-trace';

// The tests load cdktf with the patches the app bundle applies
// (test/support/shared-modules-environment.js), so they test what ships; the same switches
// as scripts/app.mjs load it as shipped.
const asShipped = process.env.EDGE_CDKTF_AS_SHIPPED === '1' || (process.env.EDGE_CDKTF_SKIP_PATCHES ?? '').split(',').map((s) => s.trim()).includes('no-stack-traces');

describe('the tests load cdktf as the app bundle ships it', () => {
  // One case either way, never a skip: whichever way this run loads cdktf is checked.
  it(asShipped ? 'as shipped when asked (EDGE_CDKTF_AS_SHIPPED=1, or without no-stack-traces): a token records where it was made' : 'with no-stack-traces: a token records no stack trace', () => {
    if (asShipped) expect(captureStackTrace().length).toBeGreaterThan(0);
    else expect(captureStackTrace()).toEqual([]);
  });
});
