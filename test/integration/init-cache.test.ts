import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_PROVIDER } from '../../lib/providers';
import { init, INIT_MARKER, initFingerprint, runInitialized } from '../../tools/plan/init';
import { terraform, terraformUnavailableReason } from '../../tools/terraform';
import { budgetFor } from '../support/budget';
import { describeUnless } from '../support/skip';

const describeTerraform = describeUnless(terraformUnavailableReason(), 'terraform init cache test');

/**
 * Plan, drift and apply skip `terraform init` in a work dir already initialized for
 * the same backend, providers, binary and CLI config (tools/plan/init.ts). Against the
 * real terraform and the provider mirror: the skip happens only when nothing init
 * depends on changed, and a work dir that is stale anyway is re-initialized on
 * terraform's own refusal instead of failing.
 */
describeTerraform('terraform init runs only when what it depends on changed', () => {
  let dir: string;
  const stack = (statePath: string) => ({
    terraform: {
      required_providers: { aws: { source: AWS_PROVIDER.source, version: AWS_PROVIDER.version } },
      backend: { local: { path: statePath } },
    },
    output: { answer: { value: 42 } },
  });
  const write = (json: unknown) => writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edge-init-'));
    write(stack(join(dir, 'one.tfstate')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the first time, skips the second, and runs again after the backend, the lock file or .terraform changes', async () => {
    expect(await init(dir, {})).toMatchObject({ code: 0, skipped: false });
    expect(await init(dir, {})).toMatchObject({ code: 0, skipped: true });
    write(stack(join(dir, 'two.tfstate')));
    expect(await init(dir, {})).toMatchObject({ code: 0, skipped: false });
    rmSync(join(dir, '.terraform.lock.hcl'));
    expect(await init(dir, {})).toMatchObject({ code: 0, skipped: false });
    expect(existsSync(join(dir, '.terraform.lock.hcl'))).toBe(true);
    rmSync(join(dir, '.terraform'), { recursive: true });
    expect(await init(dir, {})).toMatchObject({ code: 0, skipped: false });
    expect(await init(dir, { TF_PLUGIN_CACHE_DIR: dir })).toMatchObject({ skipped: false });
  }, budgetFor('terraformInit', 'terraformInit', 'terraformInit', 'terraformInit', 'terraformInit'));

  it('a failed init is never remembered', async () => {
    write({ terraform: { required_providers: { nope: { source: 'example.com/no/such-provider' } } } });
    const failed = await init(dir, {});
    expect(failed).toMatchObject({ skipped: false });
    expect(failed.code).not.toBe(0);
    expect(await init(dir, {})).toMatchObject({ skipped: false });
  }, budgetFor('terraformInit', 'terraformInit'));

  it('re-initializes and retries once when terraform refuses a work dir the fingerprint took for ready', async () => {
    expect(await init(dir, {})).toMatchObject({ code: 0, skipped: false });
    // The backend moves, and the fingerprint is made to miss it: terraform's own
    // record of the backend now disagrees with the configuration.
    write(stack(join(dir, 'elsewhere.tfstate')));
    writeFileSync(join(dir, INIT_MARKER), initFingerprint(dir, {}));
    const runs: number[] = [];
    const { failedInit, run } = await runInitialized(dir, {}, async () => {
      const r = await terraform(['output', '-no-color', 'answer'], dir);
      runs.push(r.code);
      return r;
    });
    expect(failedInit).toBeUndefined();
    expect(runs).toHaveLength(2);
    expect(runs[0]).not.toBe(0);
    expect(run).toMatchObject({ code: 0 });
  }, budgetFor('terraformInit', 'terraformInit', 'terraformInit'));
});
