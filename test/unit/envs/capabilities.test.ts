import { capabilitiesOf } from '../../../envs/capabilities';
import { loadEnvironment } from '../../../envs/load';
import { resolveEnvironments } from '../../../envs/resolve';
import { baseEnvironment, envDir, withField } from '../../support/env-files';

// What a target can do is decided once, from the env file's target (aws.endpoint), and
// reaches the stacks with the resolved environment; drift settings play no part in it.
describe('target capabilities', () => {
  const emulator = { awsEmulator: true, tlsOnlyBucketPolicy: false, lifecycleConfiguration: false, secretRecoveryWindow: false };
  const aws = { awsEmulator: false, tlsOnlyBucketPolicy: true, lifecycleConfiguration: true, secretRecoveryWindow: true };

  it('an emulator endpoint (only local may name one) drops what the emulator cannot do; AWS keeps everything', () => {
    expect(capabilitiesOf(loadEnvironment('local').config)).toEqual(emulator);
    for (const env of ['dev', 'staging', 'prod']) expect({ env, caps: capabilitiesOf(loadEnvironment(env).config) }).toEqual({ env, caps: aws });
  });

  it('resolve hands every environment its capabilities', () => {
    const { all } = resolveEnvironments(undefined);
    expect(Object.fromEntries(all.map((e) => [e.config.name, e.capabilities]))).toEqual({ dev: aws, local: emulator, prod: aws, staging: aws });
  });

  it('do not follow the drift settings: a local env file without known gaps is still an emulator, and without an endpoint it is AWS', () => {
    const noGaps = withField(baseEnvironment('local'), 'drift', { knownEmulatorGaps: [] });
    const of = (doc: Record<string, unknown>) => capabilitiesOf(loadEnvironment('local', envDir({ local: doc })).config);
    expect(of(noGaps)).toEqual(emulator);
    expect(of(withField(noGaps, 'aws.endpoint', undefined))).toEqual(aws);
  });
});
