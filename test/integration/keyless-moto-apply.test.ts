import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraform, terraformUnavailableReason } from '../../tools/terraform';
import { expectOk, prepareAwsOnlyStack } from '../support/apply';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { motoEnv, motoUnavailableReason, startMoto, type Moto } from '../support/moto';
import { synthStacks } from '../support/synth';
import { makeTestCertificates, opensslUnavailableReason } from '../support/openssl';

const unavailable = terraformUnavailableReason() ?? motoUnavailableReason() ?? opensslUnavailableReason();
if (unavailable) console.warn(`SKIPPED keyless moto apply test: ${unavailable}`);
const describeMoto = unavailable ? describe.skip : describe;

/**
 * Attributes moto cannot round-trip, so a second plan would show them changing.
 * Each entry: resource address pattern and attribute, with the reason.
 */
const MOTO_GAPS: ReadonlyArray<{ address: RegExp; attribute: string; why: string }> = [
  {
    address: /^aws_launch_template\./,
    attribute: 'tag_specifications',
    why: 'moto echoes the template\'s own tags back as a "launch-template" tag specification of the launch data',
  },
];

describeMoto('the local environment\'s keyless hosts on moto_server', () => {
  let moto: Moto;
  let work: string;
  const env = motoEnv('us-east-1');
  const parameter = '/edge/local/keyless-certificate';
  let certs: ReturnType<typeof makeTestCertificates>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'keyless-moto-'));
    certs = makeTestCertificates(work);
    moto = await startMoto();
    const envs = envDir({ local: withField(baseEnvironment('local'), 'aws.endpoint', moto.endpoint) });
    try {
      const stack = synthStacks('local', envs).get('local-keyless')!;
      await moto.call('AmazonSSM.PutParameter', { Name: parameter, Type: 'String', Value: certs.leafPem, Overwrite: true });
      await prepareAwsOnlyStack(stack, join(work, 'tf'), env, { askAccountId: true });
    } finally {
      rmSync(envs, { recursive: true, force: true });
    }
  });

  afterAll(async () => {
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('applies, and a second plan is clean', async () => {
    const dir = join(work, 'tf');
    await expectOk(terraform(['apply', '-auto-approve', '-input=false', '-no-color'], dir, env), 'apply');
    await expectOk(terraform(['plan', '-input=false', '-no-color', '-out=second.plan'], dir, env), 'second plan');
    const show = await expectOk(terraform(['show', '-json', 'second.plan'], dir, env), 'show');
    const changes = (JSON.parse(show.stdout).resource_changes ?? []).filter((c: any) => !c.change.actions.every((a: string) => a === 'no-op' || a === 'read'));
    const unexplained = changes.flatMap((c: any) => {
      const before = c.change.before ?? {};
      const after = c.change.after ?? {};
      const attrs = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !(c.change.after_unknown ?? {})[k]);
      return attrs.filter((a) => !MOTO_GAPS.some((g) => g.address.test(c.address) && g.attribute === a)).map((a) => `${c.address} ${c.change.actions.join('/')} ${a}`);
    });
    expect(unexplained).toEqual([]);
    // Whatever moto cannot round-trip, no key server may be planned for change.
    expect(changes.filter((c: any) => c.type === 'aws_instance').map((c: any) => c.address)).toEqual([]);
  });

  it('the hosts moto launched (two key servers, the demo origin) have IMDSv2 required with hop limit 1, their fixed private IPs, no public address, an encrypted root volume', async () => {
    const state = JSON.parse((await expectOk(terraform(['show', '-json'], join(work, 'tf'), env), 'show')).stdout);
    const instances = state.values.root_module.resources.filter((r: any) => r.type === 'aws_instance');
    expect(instances.map((i: any) => i.values.private_ip).sort()).toEqual(['10.40.1.10', '10.40.1.20', '10.40.2.10']);
    for (const i of instances) {
      expect(i.values.metadata_options[0]).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(i.values.public_ip).toBe('');
    }
    // moto does not copy a launch template's block devices onto the instance (real EC2
    // does), so the encrypted root volume is checked on the template moto stored.
    const templates = state.values.root_module.resources.filter((r: any) => r.type === 'aws_launch_template');
    expect(templates).toHaveLength(2);
    for (const template of templates) {
      expect(template.values.block_device_mappings[0]).toMatchObject({ device_name: '/dev/xvda', ebs: [expect.objectContaining({ encrypted: 'true' })] });
      expect(template.values.metadata_options[0]).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    }
  });

  it('refuses to plan when the SSM parameter holds a chain instead of the leaf', async () => {
    await moto.call('AmazonSSM.PutParameter', { Name: parameter, Type: 'String', Value: certs.chainPem, Overwrite: true });
    // Targeting the data source keeps this to one read instead of a full refresh.
    const dir = join(work, 'tf');
    const state = JSON.parse((await expectOk(terraform(['show', '-json'], dir, env), 'show')).stdout);
    const source = state.values.root_module.resources.find((r: any) => r.type === 'aws_ssm_parameter' && r.mode === 'data').address;
    const plan = await terraform(['plan', '-input=false', '-no-color', `-target=${source}`], dir, env);
    expect(plan.code).not.toBe(0);
    expect(plan.stderr.replace(/\s+/g, ' ')).toContain(`SSM parameter ${parameter} must hold exactly one PEM certificate (the keyless leaf, no chain, no key)`);
  });
});
