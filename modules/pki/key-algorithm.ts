import type { Construct } from 'constructs';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import type { KeyAlgorithm } from '../../lib/vocabulary';

/** The tls provider arguments for each supported key algorithm. */
const KEY_ARGS: Record<KeyAlgorithm, { algorithm: 'RSA' | 'ECDSA'; rsaBits?: number; ecdsaCurve?: string }> = {
  RSA_2048: { algorithm: 'RSA', rsaBits: 2048 },
  RSA_3072: { algorithm: 'RSA', rsaBits: 3072 },
  RSA_4096: { algorithm: 'RSA', rsaBits: 4096 },
  ECDSA_P256: { algorithm: 'ECDSA', ecdsaCurve: 'P256' },
  ECDSA_P384: { algorithm: 'ECDSA', ecdsaCurve: 'P384' },
};

/** A private key held only in Terraform state (sensitive), never in config or outputs. */
export function newPrivateKey(scope: Construct, id: string, algorithm: KeyAlgorithm): PrivateKey {
  const args = KEY_ARGS[algorithm];
  if (!args) throw new Error(`${id}: unsupported key algorithm "${algorithm}"; expected one of ${Object.keys(KEY_ARGS).join(', ')}`);
  return new PrivateKey(scope, id, args);
}

export const HOURS_PER_DAY = 24;
