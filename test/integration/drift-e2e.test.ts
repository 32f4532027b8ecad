import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../lib/paths';
import type { PlanReport } from '../../tools/plan/plan-report';
import { applyStacks, type StackRunOptions } from '../../tools/plan/plan-runner';
import { budgetFor } from '../support/budget';
import { motoEnv } from '../support/moto';
import { runToEnd } from '../support/processes';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';
import { describeUnless } from '../support/skip';

/**
 * One change made behind Terraform's back, and where the drift report must show it.
 * The snippet runs in python with boto3 clients `s3`, `ec2` and `only(prefix)`, which
 * returns the state attributes of the one resource whose address starts with prefix.
 */
interface OutOfBandChange {
  readonly what: string;
  readonly boto3: string;
  readonly resource: RegExp;
  readonly attribute: string;
  /** What the refreshed (actual) value of some reported attribute must show, when given. */
  readonly actual?: RegExp;
}

const OUT_OF_BAND_CHANGES: readonly OutOfBandChange[] = [
  {
    what: 'truststore bucket versioning suspended',
    boto3: `s3.put_bucket_versioning(Bucket=only('aws_s3_bucket_versioning.')['bucket'], VersioningConfiguration={'Status': 'Suspended'})`,
    resource: /^aws_s3_bucket_versioning\.Truststore_Bucket/,
    attribute: 'versioning_configuration[0]',
  },
  {
    what: 'a tag of the truststore bucket changed',
    boto3: [
      `bucket = only('aws_s3_bucket.')['bucket']`,
      `tags = s3.get_bucket_tagging(Bucket=bucket)['TagSet']`,
      `s3.put_bucket_tagging(Bucket=bucket, Tagging={'TagSet': [dict(t, Value='tampered') if t['Key'] == 'Environment' else t for t in tags]})`,
    ].join('\n'),
    resource: /^aws_s3_bucket\.Truststore_Bucket/,
    attribute: 'tags_all',
  },
  {
    // The attack the version pinning is about: someone swaps the CA bundle.
    what: 'a new truststore object version uploaded',
    boto3: `o = only('aws_s3_object.'); s3.put_object(Bucket=o['bucket'], Key=o['key'], Body=b'-----BEGIN CERTIFICATE-----\\nnot our CA\\n-----END CERTIFICATE-----\\n')`,
    resource: /^aws_s3_object\.Truststore_Bundle/,
    attribute: 'etag',
  },
  {
    what: 'an ingress rule added to a key server security group',
    boto3: `ec2.authorize_security_group_ingress(GroupId=only('aws_security_group.KeyServerSecurityGroup')['id'], IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])`,
    resource: /^aws_security_group\.KeyServerSecurityGroup/,
    attribute: 'ingress[0]',
  },
  // Permissions granted out of band: visible only because the exclusive and policy
  // resources declare what the whole set must be.
  {
    what: 'AdministratorAccess attached to the key-server role',
    boto3: `iam.attach_role_policy(RoleName=only('aws_iam_role.KeyServerRole')['name'], PolicyArn='arn:aws:iam::aws:policy/AdministratorAccess')`,
    resource: /^aws_iam_role_policy_attachments_exclusive\.KeyServerRole/,
    // A set: the report names each element that moved; the refreshed set leads with it.
    attribute: 'policy_arns[0]',
    actual: /AdministratorAccess/,
  },
  {
    what: 'an inline secretsmanager:* policy added to the key-server role',
    boto3: `iam.put_role_policy(RoleName=only('aws_iam_role.KeyServerRole')['name'], PolicyName='break-glass', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'secretsmanager:*', 'Resource': '*'}]}))`,
    resource: /^aws_iam_role_policies_exclusive\.KeyServerRole/,
    attribute: 'policy_names[0]',
    actual: /break-glass/,
  },
  {
    what: 'a public-read policy on the truststore bucket',
    boto3: [
      `bucket = only('aws_s3_bucket.')['bucket']`,
      `s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject', 'Resource': f'arn:aws:s3:::{bucket}/*'}]}))`,
    ].join('\n'),
    resource: /^aws_s3_bucket_policy\.Truststore_Bucket/,
    attribute: 'policy',
    actual: /s3:GetObject/,
  },
  {
    what: 'a cross-account resource policy on the private-key secret',
    boto3: `secretsmanager.put_resource_policy(SecretId=only('aws_secretsmanager_secret.Secrets_PrivateKey')['arn'], ResourcePolicy=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::999999999999:root'}, 'Action': 'secretsmanager:GetSecretValue', 'Resource': '*'}]}))`,
    resource: /^aws_secretsmanager_secret_policy\.Secrets_PrivateKey/,
    attribute: 'policy',
    // The rendered value is cut short; the granted action shows before the principal.
    actual: /GetSecretValue/,
  },
];

/**
 * Changes to AWS that no Terraform resource manages: drift detection cannot see them and
 * must not invent anything for them (an object that is not the truststore, uploaded
 * into the truststore bucket).
 */
const UNMANAGED_CHANGES: readonly string[] = [
  `s3.put_object(Bucket=only('aws_s3_bucket.')['bucket'], Key='unmanaged/notes.txt', Body=b'written outside Terraform')`,
];

/** Runs `npm run drift` as a user would and returns its exit code, stdout and JSON report. */
async function npmRunDrift(options: StackRunOptions & { envsDir: string; workDir: string; stateRoot: string }, jsonPath: string) {
  const args = ['run', '--silent', 'drift', '--', '--env', options.env, '--aws-only', '--json', jsonPath, '--work-dir', options.workDir, '--state-root', options.stateRoot];
  const { code, stdout, stderr } = await runToEnd('npm', args, { cwd: fromRoot(), env: { ...process.env, ...motoEnv(), EDGE_ENVS_DIR: options.envsDir } });
  let report: PlanReport;
  try {
    report = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch {
    throw new Error(`npm run drift exited ${code} without a JSON report: ${stderr}\n${stdout}`);
  }
  return { code: code ?? 1, stdout, stderr, report };
}

const describeE2e = describeUnless(sharedLocalUnavailableReason(), 'end-to-end drift test');

describeE2e('drift detection end to end (local env, AWS part, against moto_server)', () => {
  let local: SharedLocalEnvironment;
  let temp: string;

  beforeAll(async () => {
    local = await sharedLocalEnvironment();
    temp = mkdtempSync(join(local.runOptions().workDir, 'reports-'));
  }, SHARED_LOCAL_SETUP_BUDGET);

  it('is clean after apply, reports each out-of-band change with exit 2, and is clean again after re-apply', async () => {
    await local.exclusive(async () => {
      const options = local.runOptions();
      // Every stack the local environment synthesizes (its own four and the shared
      // Cloudflare account stack), as the shared environment planned them after the apply.
      const stacks = local.planAfterApply.stacks.map((s) => s.stack);
      expect(stacks).toEqual(expect.arrayContaining(['local-pki', 'local-origin', 'local-edge', 'local-keyless']));
      // The shared environment applied every one with something to apply (the edge
      // stack's AWS part is empty: `up` leaves it UNCHANGED, with no state).
      const applied = [...local.creation.up.stdout.matchAll(/^APPLIED +(\S+)$/gm)].map((m) => m[1]);
      expect(applied).toEqual(expect.arrayContaining(['local-pki', 'local-origin', 'local-keyless']));
      // Custody state (local-pki) sits in a sibling folder of its own, never inside the public one.
      const stateFiles = (dir: string) => readdirSync(join(options.stateRoot, 'terraform-state', dir)).filter((f) => f.endsWith('.tfstate'));
      expect(stateFiles('local-custody')).toEqual(['local-pki.tfstate']);
      expect([...stateFiles('local'), ...stateFiles('local-custody')].sort()).toEqual(applied.map((s) => `${s}.tfstate`).sort());

      // Right after the apply (the shared environment planned it then) nothing differs.
      const clean = local.planAfterApply;
      expect(clean.stacks.map((s) => [s.stack, s.status, s.error]).sort()).toEqual(stacks.map((s) => [s, 'no-changes', undefined]).sort());
      expect(clean.exitCode).toBe(0);
      // The emulator gaps the env file declares are met, named, and nothing beyond them.
      const gaps = clean.stacks.flatMap((s) => s.knownGaps.map((g) => `${g.address.split('.')[0]} ${g.attribute.split(/[.[]/)[0]}`));
      expect([...new Set(gaps)].sort()).toEqual([
        'aws_api_gateway_domain_name mutual_tls_authentication',
        'aws_launch_template default_version',
        'aws_launch_template latest_version',
        'aws_launch_template tag_specifications',
      ]);

      // One python for every change: boto3 takes about a second to start.
      local.boto3([...OUT_OF_BAND_CHANGES.map((c) => c.boto3), ...UNMANAGED_CHANGES].join('\n'));

      const drifted = await npmRunDrift(options, join(temp, 'drifted.json'));
      expect(drifted.code).toBe(2);
      expect(drifted.stdout).toContain('DRIFT DETECTED');
      const reported = drifted.report.stacks.flatMap((s) => s.changes);
      for (const change of OUT_OF_BAND_CHANGES) {
        const resource = reported.find((r) => change.resource.test(r.address));
        expect({ change: change.what, resource: resource?.address, attributes: resource?.attributes.map((a) => a.path) }).toEqual({
          change: change.what,
          resource: expect.stringMatching(change.resource),
          attributes: expect.arrayContaining([change.attribute]),
        });
        if (change.actual) expect(resource!.attributes.map((a) => a.before).join('\n')).toMatch(change.actual);
        expect(drifted.stdout).toContain(`\`${resource!.address}\``);
        expect(drifted.stdout).toContain(`\`${change.attribute}\``);
      }
      // Nothing else: every reported resource is one of the changes made above.
      expect(reported.filter((r) => !OUT_OF_BAND_CHANGES.some((c) => c.resource.test(r.address))).map((r) => r.address)).toEqual([]);
      const versioning = reported.find((r) => r.type === 'aws_s3_bucket_versioning')!;
      expect(versioning.attributes).toContainEqual({ path: 'versioning_configuration[0]', before: { status: 'Suspended' }, after: { status: 'Enabled' } });
      // One rule added outside Terraform is one row, without its empty defaults.
      const ingress = reported.find((r) => r.type === 'aws_security_group')!;
      expect(ingress.attributes).toEqual([{ path: 'ingress[0]', before: expect.objectContaining({ cidr_blocks: ['0.0.0.0/0'], from_port: 22, to_port: 22 }) }]);
      expect(ingress.constructPath).toMatch(/^local-keyless\//);

      // Put back exactly what drifted (this also leaves the shared environment as it
      // found it). A full apply would also try to update the API Gateway domain's
      // mutual TLS, which moto cannot do (its update never completes).
      const driftedByStack = new Map(drifted.report.stacks.filter((s) => s.changes.length > 0).map((s) => [s.stack, s.changes.map((c) => c.address)]));
      const reapplied = await applyStacks({ ...options, targets: driftedByStack });
      expect(reapplied.filter((a) => !a.ok)).toEqual([]);
      // Clean again, as `npm run drift` tells a user: exit 0, the gaps listed, not counted.
      const again = await npmRunDrift(options, join(temp, 'again.json'));
      // stderr holds progress only: one line as each stack starts, one (timed) as it ends.
      // Progress, and the heartbeat a step longer than 10 s prints (a loaded machine).
      const notProgress = again.stderr.split('\n').filter((l) => l && !/^local-\w+: plan (started|finished in \d+\.\ds: (no changes|changes)|still running after \d+s)$/.test(l));
      expect({ code: again.code, stderr: notProgress, report: again.code === 0 ? '' : again.stdout }).toEqual({ code: 0, stderr: [], report: '' });
      for (const stack of stacks) expect(again.stderr).toMatch(new RegExp(`^${stack}: plan started$[\\s\\S]*^${stack}: plan finished in \\d+\\.\\ds: `, 'm'));
      expect(again.report.stacks.map((s) => [s.stack, s.status, s.changes.length]).sort()).toEqual(stacks.map((s) => [s, 'no-changes', 0]).sort());
      expect(again.stdout).toContain('**AWS part only.**');
      expect(again.stdout).toMatch(/<details><summary>\d+ known emulator gaps/);
    });
  }, budgetFor('sharedEnvironmentTurn', 'planLocal', 'applyLocal', 'planLocal', 'boto3'));
});
