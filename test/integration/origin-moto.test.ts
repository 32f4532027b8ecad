import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyStacks, planStacks } from '../../tools/plan/plan-runner';
import { budgetFor } from '../support/budget';
import { withField } from '../support/env-files';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';

const unavailable = sharedLocalUnavailableReason();
if (unavailable) console.warn(`SKIPPED moto apply test of the local origin: ${unavailable}`);
const describeMoto = unavailable ? describe.skip : describe;

/**
 * The `local` environment's AWS origin, applied for real by terraform (the AWS
 * provider of the offline mirror) to moto_server as part of the shared environment
 * (test/support/shared-local.ts).
 */
describeMoto('local origin applies to moto and converges', () => {
  let local: SharedLocalEnvironment;

  beforeAll(async () => {
    local = await sharedLocalEnvironment();
  }, SHARED_LOCAL_SETUP_BUDGET);

  it('creates the truststore, the demo API, the ACM certificate and the mTLS domain', async () => {
    const types = new Set(Object.keys(await local.exclusive(async () => local.state())).map((a) => a.split('.')[0]));
    for (const t of [
      'aws_s3_bucket', 'aws_s3_bucket_versioning', 'aws_s3_object', 'aws_api_gateway_rest_api', 'aws_api_gateway_stage',
      'aws_acm_certificate', 'aws_acm_certificate_validation', 'aws_api_gateway_domain_name', 'aws_api_gateway_base_path_mapping',
    ]) expect(types).toContain(t);
    // The env file leaves the lifecycle configuration out on the emulator (a named gap).
    expect(types).not.toContain('aws_s3_bucket_lifecycle_configuration');
    }, budgetFor('sharedEnvironmentTurn'));

  it('a second plan is clean except the named moto gaps', () => {
    const origin = local.planAfterApply.stacks.find((s) => s.stack === 'local-origin')!;
    expect({ status: origin.status, changes: origin.changes, error: origin.error }).toEqual({ status: 'no-changes', changes: [], error: undefined });
    // The gap is really there (if moto fixes it, drop it from envs/local.yaml).
    expect(origin.knownGaps.map((g) => g.attribute.split(/[.[]/)[0])).toContain('mutual_tls_authentication');
  });

  it('rotation: trusting a new CA generation uploads a new truststore version and repins the domain to it', async () => {
    const changes = await local.exclusive(async () => {
      const options = local.runOptions();
      const rotated = mkdtempSync(join(options.workDir, 'envs-'));
      writeFileSync(join(rotated, 'local.yaml'), JSON.stringify(withField(local.document, 'pki', { mode: 'generated', caGenerations: [2, 1] })));
      try {
        // The pki stack's AWS projection is outputs only: applying it publishes the
        // second generation to the origin's remote state without touching AWS.
        expect((await applyStacks({ ...options, envsDir: rotated, stacks: ['pki'] })).filter((a) => !a.ok)).toEqual([]);
        const report = await planStacks({ ...options, envsDir: rotated, stacks: ['origin'], mode: 'plan' });
        expect(report.stacks[0].error).toBeUndefined();
        return report.stacks[0];
      } finally {
        // Put the shared environment back and prove it.
        const restored = await applyStacks({ ...options, stacks: ['pki'] });
        expect(restored.filter((a) => !a.ok)).toEqual([]);
        expect((await planStacks({ ...options, stacks: ['pki', 'origin'], mode: 'plan' })).exitCode).toBe(0);
      }
    });
    const object = changes.changes.find((c) => c.address.startsWith('aws_s3_object.'))!;
    expect(object.action).toBe('update');
    expect(object.attributes.map((a) => a.path)).toEqual(expect.arrayContaining(['content', 'version_id']));
    // The domain's repin is hidden behind the named moto gap (mutual_tls_authentication) but listed.
    expect(changes.knownGaps.some((g) => g.address.startsWith('aws_api_gateway_domain_name.') && g.attribute.startsWith('mutual_tls_authentication'))).toBe(true);
    // Nothing else is touched by a CA rotation on the origin side.
    expect(changes.changes.map((c) => c.type).sort()).toEqual(['aws_s3_object']);
  }, budgetFor('sharedEnvironmentTurn', 'applyLocal', 'planLocal', 'planLocal'));
});
