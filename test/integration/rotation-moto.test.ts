import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates } from '../../lib/x509';
import { applyStacks, planStacks } from '../../tools/plan/plan-runner';
import { budgetFor } from '../support/budget';
import { withField } from '../support/env-files';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';

const unavailable = sharedLocalUnavailableReason();
if (unavailable) console.warn(`SKIPPED moto apply of the three-step CA rotation: ${unavailable}`);
const describeMoto = unavailable ? describe.skip : describe;

/** What one applied step left in AWS (moto) and in the origin's state. */
interface Observed {
  /** Every version id S3 holds for the truststore object, and the current one. */
  readonly versions: string[];
  readonly latest: string;
  /** The CA generations (`G1`, `G2`) of the certificates in the current object's body. */
  readonly generations: string[];
  /** The object's version_id and the domain's truststore_version, as terraform recorded them. */
  readonly stateVersionId: string;
  readonly domainTruststoreVersion: string | undefined;
}

/**
 * The AWS side of the CA rotation runbook (docs/rotation.md), applied for real to the
 * shared moto environment: before (`caGenerations: [1]`, what the shared environment
 * already holds), overlap (`[2, 1]`) and after (`[2]`), each applied to the pki and
 * origin stacks the way an operator would. After every step S3 must hold a new version
 * of the truststore object with the generations of that step, and the custom domain
 * must be pinned to exactly that version.
 *
 * moto accepts `mutual_tls_authentication` on the domain but does not keep it (a named
 * gap of envs/local.yaml), so the pin is checked where terraform records it: the
 * domain's `truststore_version` in state, next to the object's version id S3 reports.
 */
describeMoto('CA rotation applied to moto: truststore versions and the domain pin', () => {
  let local: SharedLocalEnvironment;
  beforeAll(async () => {
    local = await sharedLocalEnvironment();
  }, SHARED_LOCAL_SETUP_BUDGET);

  it('before -> overlap -> after: each step uploads a new truststore version holding old+new, then only new, and pins the domain to it', async () => {
    const steps = await local.exclusive(async () => {
      const options = local.runOptions();
      const envsFor = (generations: number[]): string => {
        const dir = mkdtempSync(join(options.workDir, `envs-g${generations.join('-')}-`));
        writeFileSync(join(dir, 'local.yaml'), JSON.stringify(withField(local.document, 'pki', { ...(local.document.pki ?? {}), mode: 'generated', caGenerations: generations })));
        return dir;
      };
      const observe = (name: string): Observed => {
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
        const state = local.state();
        const one = (prefix: string) => {
          const hits = Object.entries(state).filter(([a]) => a.startsWith(prefix));
          expect(hits.map(([a]) => a)).toHaveLength(1);
          return hits[0][1];
        };
        const generations = parseCertificates(seen.body).map((c: X509Certificate) => /CN=[^\n]* G(\d+)(?:\n|$)/.exec(c.subject)?.[1] ?? `unnamed ${c.subject}`);
        return {
          versions: seen.versions,
          latest: seen.latest,
          generations: [...new Set(generations)].sort().map((g) => `G${g}`),
          stateVersionId: one('aws_s3_object.Truststore').version_id,
          domainTruststoreVersion: one('aws_api_gateway_domain_name.').mutual_tls_authentication?.[0]?.truststore_version,
        };
      };
      const apply = async (envsDir: string) => {
        const applied = await applyStacks({ ...options, envsDir, stacks: ['pki', 'origin'] });
        expect(applied.filter((a) => !a.ok)).toEqual([]);
      };
      const recorded: Record<string, Observed> = { before: observe('before') };
      try {
        await apply(envsFor([2, 1]));
        recorded.overlap = observe('overlap');
        await apply(envsFor([2]));
        recorded.after = observe('after');
      } finally {
        // Put the shared environment back (generation 1 again, as local.yaml says) and prove it.
        await apply(local.envsDir);
        recorded.restored = observe('restored');
        const replan = await planStacks({ ...options, stacks: ['pki', 'origin'], mode: 'plan' });
        expect(replan.stacks.map((s) => ({ stack: s.stack, status: s.status, error: s.error }))).toEqual(
          replan.stacks.map((s) => ({ stack: s.stack, status: 'no-changes', error: undefined })),
        );
      }
      return recorded;
    });
    const { before, overlap, after, restored } = steps;
    expect(before.generations).toEqual(['G1']);
    expect(overlap.generations).toEqual(['G1', 'G2']);
    expect(after.generations).toEqual(['G2']);
    expect(restored.generations).toEqual(['G1']);
    for (const [from, to] of [[before, overlap], [overlap, after], [after, restored]]) {
      // A new S3 object version per step; the old ones are kept (the bucket is versioned).
      expect(to.versions).toHaveLength(from.versions.length + 1);
      expect(to.versions).toEqual(expect.arrayContaining(from.versions));
      expect(from.versions).not.toContain(to.latest);
    }
    for (const step of [before, overlap, after, restored]) {
      // Terraform's record of the object is the version S3 serves, and the domain is pinned to it.
      expect(step.stateVersionId).toBe(step.latest);
      expect(step.domainTruststoreVersion).toBe(step.latest);
    }
  }, budgetFor('sharedEnvironmentTurn', 'applyLocal', 'applyLocal', 'applyLocal', 'planLocal', 'boto3', 'boto3', 'boto3', 'boto3'));
});
