import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackReport } from '../../tools/plan/plan-report';
import { applyStacks, planStacks } from '../../tools/plan/plan-runner';
import { PLACEHOLDER_PREFIX } from '../../tools/validate/aws-projection';
import { budgetFor } from '../support/budget';
import { withField } from '../support/env-files';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';
import { describeUnless } from '../support/skip';

const describeMoto = describeUnless(sharedLocalUnavailableReason(), 'moto apply of the three-step CA rotation');

/** What one applied step left in AWS (moto) and in the origin's state. */
interface Observed {
  /** Every version id S3 holds for the truststore object, and the current one. */
  readonly versions: string[];
  readonly latest: string;
  /** The CA generations (`G1`, `G2`) whose root and intermediate the current object's body holds. */
  readonly generations: string[];
  /** The object's version_id as terraform recorded it. */
  readonly stateVersionId: string;
  /** Whether the plan that follows wants to repin the domain's mutual TLS (listed as the named moto gap); not planned for the starting point. */
  readonly domainRepinPlanned?: boolean;
}

/**
 * The AWS side of the CA rotation runbook (docs/rotation.md), applied for real to the
 * shared moto environment: before (`caGenerations: [1]`, what the shared environment
 * already holds), overlap (`[2, 1]`) and after (`[2]`). After every step S3 must hold a
 * new version of the truststore object with the generations of that step, terraform's
 * state must record the version S3 serves, and the next plan must want to repin the
 * custom domain to it.
 *
 * moto 5.2.1 has no UpdateDomainName ("The update_domain_name action has not been
 * implemented"; the AWS provider retries it for many minutes), and it does not keep
 * `mutual_tls_authentication` on a domain it creates (a named gap of envs/local.yaml).
 * So each step applies the pki stack and, in the origin stack, the truststore object
 * only (`-target`), and the domain's repin is checked as planned, not as applied.
 * Before the first step's object is applied, the origin's plan must touch that object
 * and nothing else.
 */
describeMoto('CA rotation applied to moto: truststore versions and the domain repin', () => {
  let local: SharedLocalEnvironment;
  beforeAll(async () => {
    local = await sharedLocalEnvironment();
  }, SHARED_LOCAL_SETUP_BUDGET);

  it('before -> overlap -> after: each step uploads a new truststore version holding old+new, then only new, and the domain is to be repinned to it', async () => {
    const steps = await local.exclusive(async () => {
      const options = local.runOptions();
      const envsFor = (generations: number[]): string => {
        const dir = mkdtempSync(join(options.workDir, `envs-g${generations.join('-')}-`));
        writeFileSync(join(dir, 'local.yaml'), JSON.stringify(withField(local.document, 'pki', { ...(local.document.pki ?? {}), mode: 'generated', caGenerations: generations })));
        return dir;
      };
      const objectAddress = (): string => {
        const hits = Object.keys(local.state()).filter((a) => a.startsWith('aws_s3_object.Truststore'));
        expect(hits).toHaveLength(1);
        return hits[0];
      };
      const observe = async (name: string, envsDir: string, { plan: planAfter }: { plan: boolean } = { plan: true }): Promise<Observed> => {
        const out = join(options.workDir, `${name}.json`);
        local.boto3(
          [
            "o = only('aws_s3_object.Truststore')",
            "listed = [v for v in s3.list_object_versions(Bucket=o['bucket'], Prefix=o['key']).get('Versions', []) if v['Key'] == o['key']]",
            "body = s3.get_object(Bucket=o['bucket'], Key=o['key'])",
            `open(${JSON.stringify(out)}, 'w').write(json.dumps({'versions': [v['VersionId'] for v in listed], 'latest': body['VersionId'], 'body': body['Body'].read().decode()}))`,
          ].join('\n'),
        );
        const seen = JSON.parse(readFileSync(out, 'utf8')) as { versions: string[]; latest: string; body: string };
        // No tls provider binary exists offline, so in the AWS projection each CA certificate
        // is a placeholder naming its address (`...tls_self_signed_cert.Pki_CaG2_RootCertificate_....cert_pem`).
        expect(seen.body).toContain(PLACEHOLDER_PREFIX);
        const generations = [...seen.body.matchAll(/\.Pki_CaG(\d+)_(?:Root|Intermediate)Certificate\w*\.cert_pem/g)].map((m) => m[1]);
        const observed = {
          versions: seen.versions,
          latest: seen.latest,
          generations: [...new Set(generations)].sort().map((g) => `G${g}`),
          stateVersionId: local.state()[objectAddress()].version_id,
        };
        if (!planAfter) return observed;
        const plan = await planOrigin(envsDir);
        return { ...observed, domainRepinPlanned: repinPlannedIn(plan) };
      };
      let lastOriginPlan: StackReport | undefined;
      const planOrigin = async (envsDir: string) => {
        const plan = await planStacks({ ...options, envsDir, stacks: ['origin'], mode: 'plan' });
        expect(plan.stacks[0].error).toBeUndefined();
        lastOriginPlan = plan.stacks[0];
        return plan.stacks[0];
      };
      let firstStepPlan: StackReport | undefined;
      const apply = async (envsDir: string, planFirst = false) => {
        // The pki stack's AWS projection is outputs only: applying it publishes the
        // generations to the origin's remote state without touching AWS.
        expect((await applyStacks({ ...options, envsDir, stacks: ['pki'] })).filter((a) => !a.ok)).toEqual([]);
        if (planFirst) firstStepPlan = await planOrigin(envsDir);
        const origin = `${local.document.name ?? 'local'}-origin`;
        const targets = new Map([[origin, [objectAddress()]]]);
        const applied = await applyStacks({ ...options, envsDir, stacks: ['origin'], targets });
        expect(applied.map((a) => a.stack)).toEqual([origin]);
        expect(applied.filter((a) => !a.ok)).toEqual([]);
      };
      const recorded: Record<string, Observed> = { before: await observe('before', local.envsDir, { plan: false }) };
      try {
        const overlap = envsFor([2, 1]);
        await apply(overlap, true);
        recorded.overlap = await observe('overlap', overlap);
        const after = envsFor([2]);
        await apply(after);
        recorded.after = await observe('after', after);
      } finally {
        // Put the shared environment back (generation 1 again, as local.yaml says) and prove it.
        await apply(local.envsDir);
        recorded.restored = await observe('restored', local.envsDir);
        // The origin was just planned against local.yaml by observe(); the pki stack too.
        const replan = [...(await planStacks({ ...options, stacks: ['pki'], mode: 'plan' })).stacks, lastOriginPlan!];
        expect(replan.map((s) => ({ stack: s.stack, status: s.status, error: s.error }))).toEqual(
          replan.map((s) => ({ stack: s.stack, status: 'no-changes', error: undefined })),
        );
      }
      return { recorded, firstStepPlan: firstStepPlan! };
    });
    const { firstStepPlan } = steps;
    const { before, overlap, after, restored } = steps.recorded;
    // Trusting a second generation changes the truststore object (a new body, so a new
    // version) and, hidden behind the named moto gap but listed, the domain's pin; nothing
    // else on the origin side.
    const object = firstStepPlan.changes.find((c) => c.address.startsWith('aws_s3_object.'))!;
    expect(object.action).toBe('update');
    expect(object.attributes.map((a) => a.path)).toEqual(expect.arrayContaining(['content', 'version_id']));
    expect(firstStepPlan.changes.map((c) => c.type).sort()).toEqual(['aws_s3_object']);
    expect(repinPlannedIn(firstStepPlan)).toBe(true);
    expect(before.generations).toEqual(['G1']);
    expect(overlap.generations).toEqual(['G1', 'G2']);
    expect(after.generations).toEqual(['G2']);
    expect(restored.generations).toEqual(['G1']);
    for (const [from, to] of [[before, overlap], [overlap, after], [after, restored]]) {
      // A new S3 object version per step; the old ones are kept (the bucket is versioned).
      expect(to.versions).toHaveLength(from.versions.length + 1);
      expect(to.versions).toEqual(expect.arrayContaining(from.versions));
      expect(from.versions).not.toContain(to.latest);
      // The domain still points at the previous version: the plan wants it repinned.
      expect(to.domainRepinPlanned).toBe(true);
    }
    // Terraform's record of the object is the version S3 serves.
    for (const step of [before, overlap, after, restored]) expect(step.stateVersionId).toBe(step.latest);
  }, budgetFor('sharedEnvironmentTurn', 'applyLocal', 'applyLocal', 'applyLocal', 'applyLocal', 'applyLocal', 'applyLocal', 'planLocal', 'planLocal', 'planLocal', 'planLocal', 'planLocal', 'boto3', 'boto3', 'boto3', 'boto3'));
});

/** Whether an origin plan wants to repin the custom domain's mutual TLS (listed as the named moto gap). */
function repinPlannedIn(plan: { knownGaps: readonly { address: string; attribute: string }[] }): boolean {
  return plan.knownGaps.some((g) => g.address.startsWith('aws_api_gateway_domain_name.') && g.attribute.startsWith('mutual_tls_authentication'));
}
