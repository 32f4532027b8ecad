import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareStacks } from '../../tools/plan/plan-runner';
import { terraform } from '../../tools/terraform';
import { expectOk } from '../support/apply';
import { budgetFor } from '../support/budget';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';
import { describeUnless } from '../support/skip';

const describeMoto = describeUnless(sharedLocalUnavailableReason(), 'keyless moto apply test');

/** The keyless hosts of `local`, applied to moto as part of the shared environment. */
describeMoto('the local environment\'s keyless hosts on moto_server', () => {
  let local: SharedLocalEnvironment;
  let parameter: string;

  beforeAll(async () => {
    local = await sharedLocalEnvironment();
    parameter = local.document.keyless.certificate.ssmParameter;
  }, SHARED_LOCAL_SETUP_BUDGET);

  it('applies, and a second plan is clean except the named moto gaps, with no key server planned for change', () => {
    const keyless = local.planAfterApply.stacks.find((s) => s.stack === 'local-keyless')!;
    expect({ status: keyless.status, changes: keyless.changes, error: keyless.error }).toEqual({ status: 'no-changes', changes: [], error: undefined });
    // Whatever moto cannot round-trip, no key server may be among it.
    expect(keyless.knownGaps.filter((g) => g.address.startsWith('aws_instance.'))).toEqual([]);
  });

  it('the hosts moto launched (two key servers, the demo origin) have IMDSv2 required with hop limit 1, their fixed private IPs, no public address, an encrypted root volume', async () => {
    const state = Object.entries(await local.exclusive(async () => local.state()));
    const instances = state.filter(([address]) => address.startsWith('aws_instance.')).map(([, values]) => values);
    expect(instances.map((i) => i.private_ip).sort()).toEqual(['10.40.1.10', '10.40.1.20', '10.40.2.10']);
    for (const i of instances) {
      expect(i.metadata_options[0]).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(i.public_ip).toBe('');
    }
    // moto does not copy a launch template's block devices onto the instance (real EC2
    // does), so the encrypted root volume is checked on the template moto stored.
    const templates = state.filter(([address]) => address.startsWith('aws_launch_template.')).map(([, values]) => values);
    expect(templates).toHaveLength(2);
    for (const template of templates) {
      expect(template.block_device_mappings[0]).toMatchObject({ device_name: '/dev/xvda', ebs: [expect.objectContaining({ encrypted: 'true' })] });
      expect(template.metadata_options[0]).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    }
    }, budgetFor('sharedEnvironmentTurn'));

  it('refuses to plan when the SSM parameter holds a chain instead of the leaf', async () => {
    const plan = await local.exclusive(async () => {
      const put = (pem: string) => local.boto3(`ssm.put_parameter(Name=${JSON.stringify(parameter)}, Type='String', Value=${JSON.stringify(pem)}, Overwrite=True)`);
      put(local.keylessCertificate.chainPem);
      try {
        const [stack] = prepareStacks({ ...local.runOptions(), stacks: ['keyless'] });
        await expectOk(terraform(['init', '-input=false', '-no-color'], stack.dir, local.terraformEnv), 'init');
        const source = keylessParameterSource(stack.dir);
        // Targeting the data source keeps this to one read instead of a full refresh.
        return await terraform(['plan', '-input=false', '-no-color', `-target=${source}`], stack.dir, local.terraformEnv);
      } finally {
        put(local.keylessCertificate.leafPem);
        local.boto3(`assert ssm.get_parameter(Name=${JSON.stringify(parameter)})['Parameter']['Value'] == ${JSON.stringify(local.keylessCertificate.leafPem)}`);
      }
    });
    expect(plan.code).not.toBe(0);
    expect(plan.stderr.replace(/\s+/g, ' ')).toContain(`SSM parameter ${parameter} must hold exactly one PEM certificate (the keyless leaf, no chain, no key)`);
  }, budgetFor('sharedEnvironmentTurn', 'terraformInit', 'planLocal', 'boto3', 'boto3', 'boto3'));
});

/** The address of the keyless stack's `aws_ssm_parameter` data source, from its configuration. */
function keylessParameterSource(dir: string): string {
  const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
  const names = Object.keys(json.data?.aws_ssm_parameter ?? {});
  if (names.length !== 1) throw new Error(`expected one aws_ssm_parameter data source in the keyless stack, found ${names.length}`);
  return `data.aws_ssm_parameter.${names[0]}`;
}
