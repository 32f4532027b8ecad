import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../tools/synth/synth';
import { terraform, terraformUnavailableReason } from '../../tools/terraform';
import { projectAwsOnly } from '../../tools/validate/aws-projection';
import { expectOk } from '../support/apply';
import { budgetFor } from '../support/budget';
import { describeUnless } from '../support/skip';

const describeTf = describeUnless(terraformUnavailableReason(), 'synth-keeps-init-and-state test');

/**
 * The README's manual path: `npm run synth`, then `terraform init` and work in
 * `cdktf.out/stacks/<stack>/`, then synth again after an edit. The second synth must
 * keep what `terraform init` installed and must not lose the stack's state.
 * Only the AWS provider exists offline, so the stack terraform runs is the AWS part of
 * `local-origin` with its (synthesized, anchored) local backend.
 */
describeTf('synth twice around a real terraform init', () => {
  const work = mkdtempSync(join(tmpdir(), 'edge-synth-init-'));
  const outdir = join(work, 'cdktf.out');
  const stateRoot = join(work, 'project');
  const stackDir = join(outdir, 'stacks', 'local-origin');
  const statePath = join(stateRoot, 'terraform-state', 'local', 'local-origin.tfstate');
  const awsPartOnly = (): void => {
    const synthesized = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    const json = projectAwsOnly(synthesized).json;
    json.terraform = { ...json.terraform, backend: synthesized.terraform.backend };
    writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(json));
  };
  const lineage = randomUUID();

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('keeps .terraform/, the lock file and the state, which lives outside the output', async () => {
    synthesize({ outdir, selector: 'local', stateRoot });
    awsPartOnly();
    await expectOk(terraform(['init', '-input=false', '-no-color'], stackDir), 'init');
    const state = { version: 4, terraform_version: '1.11.4', serial: 1, lineage, outputs: { probe: { value: 'kept', type: 'string' } }, resources: [] };
    writeFileSync(join(work, 'push.tfstate'), JSON.stringify(state));
    await expectOk(terraform(['state', 'push', '-no-color', join(work, 'push.tfstate')], stackDir), 'state push');
    expect(JSON.parse(readFileSync(statePath, 'utf8')).lineage).toBe(lineage);
    const lock = readFileSync(join(stackDir, '.terraform.lock.hcl'), 'utf8');
    const providers = readdirSync(join(stackDir, '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws'));
    expect(readdirSync(stackDir).filter((f) => f.endsWith('.tfstate'))).toEqual([]);

    synthesize({ outdir, selector: 'local', stateRoot });
    // synth wrote the whole stack again (tls and cloudflare included) ...
    expect(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')).toContain('"cloudflare"');
    // ... and left terraform's files alone.
    expect(readFileSync(join(stackDir, '.terraform.lock.hcl'), 'utf8')).toBe(lock);
    expect(readdirSync(join(stackDir, '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws'))).toEqual(providers);

    // Without a new init: validate needs the installed provider, output needs the backend and its state.
    awsPartOnly();
    await expectOk(terraform(['validate', '-no-color'], stackDir), 'validate without init');
    const output = await expectOk(terraform(['output', '-raw', '-no-color', 'probe'], stackDir), 'output');
    expect(output.stdout).toBe('kept');
    expect(existsSync(join(outdir, 'stacks', 'local-origin', 'terraform-state'))).toBe(false);
  }, budgetFor('terraformInit', 'terraformValidate', 'test'));
});
