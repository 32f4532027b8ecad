import { Fn, Token } from 'cdktf';

/**
 * Concatenates PEM certificates into one bundle, one certificate per block and each
 * ending in exactly one newline, whether the parts are literal PEM (bring-your-own)
 * or Terraform expressions (generated). The truststore and the handshake test both
 * build their bundle with this function.
 */
export function assembleTruststoreBundle(pems: readonly string[]): string {
  if (pems.length === 0) throw new Error('a truststore bundle needs at least one CA certificate');
  return pems.map((pem) => (Token.isUnresolved(pem) ? `${Fn.trimspace(pem)}\n` : `${pem.trim()}\n`)).join('');
}
