/**
 * What the tls provider does with the values of a synthesized stack, without running
 * anything (realize-tls.ts, which makes the certificates with openssl, applies it).
 *
 * The path length the tls provider 4.2.x really writes: it sets Go's MaxPathLen but
 * never MaxPathLenZero, so 0 (like no value) becomes "no constraint".
 */
export function asTlsProviderWrites(maxPathLength: number | undefined): number | undefined {
  return maxPathLength === undefined || maxPathLength === 0 ? undefined : maxPathLength;
}
