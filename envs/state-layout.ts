import type { S3BackendConfig } from './schema/core';

/**
 * Where an S3-backed environment keeps its state, split by custody (docs/key-custody.md): public
 * stacks under `keyPrefix` with `kmsKeyId`, custody stacks (`<env>-pki`) under
 * `custodyKeyPrefix` with `custodyKmsKeyId`. The backends and the account bootstrap's
 * IAM policies are both computed from this, so they cannot disagree.
 */
export interface S3StateLayout {
  readonly bucket: string;
  readonly region: string;
  /** `<publicPrefix>/<stack>.tfstate` for public stacks. */
  readonly publicPrefix: string;
  /** `<custodyPrefix>/<stack>.tfstate` for custody stacks. */
  readonly custodyPrefix: string;
  /** As written in the env file (alias name or ARN); undefined means SSE-S3. */
  readonly publicKmsKeyId?: string;
  readonly custodyKmsKeyId: string;
}

/** `backend.custodyKeyPrefix`, or its default `<keyPrefix>-custody`. */
export function custodyKeyPrefixOf(backend: S3BackendConfig): string {
  return backend.custodyKeyPrefix ?? `${backend.keyPrefix}-custody`;
}

export function s3StateLayout(backend: S3BackendConfig): S3StateLayout {
  return {
    bucket: backend.bucket,
    region: backend.region,
    publicPrefix: backend.keyPrefix,
    custodyPrefix: custodyKeyPrefixOf(backend),
    publicKmsKeyId: backend.kmsKeyId,
    custodyKmsKeyId: backend.custodyKmsKeyId,
  };
}

/**
 * True when the IAM resource `<outer>/*` matches objects stored under `<inner>/`: the
 * same prefix, or one nested inside it. Key prefixes hold no wildcard characters (the
 * schema allows letters, digits, `_.-` and `/`), so this is plain string logic.
 */
export function prefixCovers(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** Where a KMS key named in an env file must live: the state bucket's region, the environment's account. */
export interface KmsKeyHome {
  readonly region: string;
  readonly accountId: string;
}

const ALIAS_NAME = /^alias\/[\w/-]{1,250}$/;
const ALIAS_ARN = /^arn:aws[\w-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/[\w/-]{1,250})$/;

/**
 * The alias name (`alias/x`) an env file's KMS key id stands for, or the problem with it.
 * The account bootstrap creates the keys, so it can only honour names it can create:
 * aliases (`alias/x`, or the alias ARN in the bucket's region and the environment's
 * account), never the id or ARN of a key that already exists.
 */
export function kmsAliasName(keyId: string, home: KmsKeyHome): { alias: string } | { problem: string } {
  if (ALIAS_NAME.test(keyId)) return { alias: keyId };
  const arn = ALIAS_ARN.exec(keyId);
  if (arn === null) {
    return { problem: `"${keyId}" is not a KMS alias; expected "alias/<name>" or "arn:aws:kms:${home.region}:${home.accountId}:alias/<name>" (the account bootstrap creates the key under that alias)` };
  }
  if (arn[1] !== home.region || arn[2] !== home.accountId) {
    return { problem: `"${keyId}" names a key in ${arn[1]} / account ${arn[2]}; the state key must be in the bucket's region ${home.region} and the environment's account ${home.accountId}` };
  }
  return { alias: arn[3] };
}
