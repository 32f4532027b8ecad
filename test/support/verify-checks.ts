/**
 * The ids of `npm run verify`'s checks, in the order it reports them (tools/verify/checks.ts):
 * the origin's, then the edge's, then `default-endpoint-disabled` when the run names a
 * default endpoint, then `certificate-expiry`.
 */
export const ORIGIN_CHECKS = [
  'origin-requests-client-cert',
  'origin-rejects-no-cert',
  'origin-accepts-origin-pull-cert',
  'origin-rejects-foreign-cert',
  'origin-tls-1.2-minimum',
  'origin-server-cert-trusted',
] as const;

export const EDGE_CHECKS = ['edge-blocks-without-cert', 'edge-tls-1.2-minimum', 'edge-server-cert-trusted'] as const;
