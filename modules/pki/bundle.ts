import { Fn, Token } from 'cdktf';

/**
 * Concatenates PEM certificates into one bundle, one certificate per block and each
 * ending in exactly one newline, whether the parts are literal PEM (bring-your-own)
 * or Terraform expressions (generated). The truststore and the handshake test both
 * build their bundle with this function.
 */
export function assembleTruststoreBundle(pems: readonly string[]): string {
  if (pems.length === 0) throw new Error('a truststore bundle needs at least one CA certificate');
  if (!pems.some((pem) => Token.isUnresolved(pem))) return pems.map((pem) => `${pem.trim()}\n`).join('');
  // Built from whole-token function calls (join/format/trimspace), never by splicing a
  // token into a string literal: CDKTF cannot nest such strings inside functions (it
  // warns "escape sequences ... not supported" and the result may be wrong).
  return Fn.join(
    '',
    pems.map((pem) => (Token.isUnresolved(pem) ? Fn.format('%s\n', [Fn.trimspace(pem)]) : `${pem.trim()}\n`)),
  );
}
