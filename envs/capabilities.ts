import type { Environment } from './schema';

/**
 * What the target of an environment can do, decided once here (in the resolve phase)
 * and handed to the stacks as plain values. A stack builds from these, never from drift
 * settings: `drift.knownEmulatorGaps` only decides what a drift report calls a known gap
 * (test/unit/architecture.test.ts fails on a stack or module reading `drift.*`).
 *
 * Only what changes what is built is here. Emulator gaps that change nothing built (moto
 * drops mutual TLS on REST custom domains and has no UpdateDomainName, it echoes launch
 * template tags) stay drift settings: the same resources are built, the report names the
 * difference.
 */
export interface TargetCapabilities {
  /**
   * The AWS target is an emulator on loopback (`aws.endpoint`), not AWS: the providers talk
   * to it and skip the credential checks an emulator cannot answer.
   */
  readonly awsEmulator: boolean;
  /**
   * Object operations still work under a bucket policy with a condition, so buckets carry
   * the TLS-only Deny. moto 5.2.1 refuses every object operation under such a policy.
   */
  readonly tlsOnlyBucketPolicy: boolean;
  /**
   * Buckets get their lifecycle configuration (noncurrent versions expire). Against an
   * emulator it is left out: after writing one, AWS provider 5.100.0 waits for ten identical
   * reads 5 s apart after a 10 s delay, at least 55 s per bucket; real targets keep the rule
   * and the synth tests pin it.
   */
  readonly lifecycleConfiguration: boolean;
  /**
   * Deleted Secrets Manager secrets wait out a recovery window (30 days). An emulator deletes
   * them at once, so a test can destroy and apply again under the same names.
   */
  readonly secretRecoveryWindow: boolean;
}

/** The capabilities of `config`'s target: an emulator (`aws.endpoint`, only `local` may set it) or AWS. */
export function capabilitiesOf(config: Pick<Environment, 'aws'>): TargetCapabilities {
  const real = config.aws.endpoint === undefined;
  return { awsEmulator: !real, tlsOnlyBucketPolicy: real, lifecycleConfiguration: real, secretRecoveryWindow: real };
}
