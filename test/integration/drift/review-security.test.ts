import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReview, renderReviewMarkdown, reviewMarks, type Review } from '../../../tools/review/review';
import { apiShieldScope, weakenings } from '../../../tools/review/weakenings';
import { checkPolicy, policyStacks } from '../../../tools/policy/run';
import { TfStack, type StackJson } from '../../../tools/tf-json/stack';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { OpensslWorkbench, opensslUnavailableReason } from '../../support/openssl';

/**
 * The review's security view marks exactly what the policy fails on (one encoding of
 * each security fact), and against a base it also marks what a change loosens.
 */

const all = synthesizeJson(undefined);
const dev = synthesizeJson('dev');
const review = (head: ReadonlyMap<string, StackJson>, base?: ReadonlyMap<string, StackJson>): Review =>
  buildReview(head, base ? { ref: 'main', stacks: base } : undefined, { environments: dev.environments });
const edited = (edit: (edge: any) => void): Map<string, StackJson> => {
  const copy = new Map([...dev.stacks].map(([n, j]) => [n, structuredClone(j)]));
  edit(copy.get('dev-edge'));
  return copy;
};
const shieldRule = (edge: any) => Object.values<any>(edge.resource.cloudflare_ruleset)[0].rules[0];

describe('the review marks only what the policy flags', () => {
  it('has no mark on any committed environment', () => {
    const r = buildReview(all.stacks, undefined, { environments: all.environments });
    expect(r.stacks.length).toBeGreaterThanOrEqual(12);
    expect(reviewMarks(r)).toBe(0);
    expect(renderReviewMarkdown(r)).not.toContain('⚠️');
  });

  it('shows the former false alarms as what they are: ACM validation CNAMEs, template-encrypted volumes, the demo origin rule', () => {
    const r = buildReview(all.stacks, undefined, { environments: all.environments });
    const rows = r.stacks.flatMap((s) => s.security);
    const acm = rows.filter((x) => x.setting === 'CNAME ACM validation record');
    expect(acm.length).toBeGreaterThan(0);
    expect(new Set(acm.map((x) => x.value))).toEqual(new Set(['not proxied']));
    const roots = rows.filter((x) => x.setting === 'root volume' && x.resource.startsWith('aws_instance.'));
    expect(roots.length).toBeGreaterThan(0);
    for (const x of roots) expect(x.value).toMatch(/^from aws_launch_template\.\S+: \/dev\/xvda encrypted$/);
    const demo = rows.find((x) => x.resource.startsWith('aws_security_group.OriginHost') && x.setting === 'ingress');
    expect(demo?.value).toMatch(/^tcp 80 \$\{aws_security_group\.KeyServerSecurityGroup/);
  });

  it('marks a resource exactly when the policy has an open finding on it', () => {
    const head = edited((edge) => {
      Object.values<any>(edge.resource.cloudflare_dns_record)[0].proxied = false;
    });
    const r = review(head);
    const policy = checkPolicy(policyStacks(head, dev.environments)).findings.filter((f) => !f.suppressedBy);
    expect(policy.map((f) => f.ruleId)).toEqual(['CF-DNS-PROXIED']);
    expect(r.stacks.flatMap((s) => s.findings)).toEqual(policy);
    const md = renderReviewMarkdown(r);
    expect(md.match(/⚠️/g)).toHaveLength(3); // the findings heading, the finding row and the resource's setting row
    expect(md).toMatch(/\| `cloudflare_dns_record\.Zone_Record-apidevexamplecom_\w+`<br>dev-edge\/Zone\/Record-api\.dev\.example\.com \| CNAME api\.dev\.example\.com \| ⚠️ not proxied \|/);
  });
});

describe('weakenings against the base', () => {
  it('reads the API Shield scope per host and path prefix', () => {
    expect(apiShieldScope(new TfStack('dev-edge', dev.stacks.get('dev-edge')!))).toEqual(new Map([['api.dev.example.com', new Set(['/v1/', '/admin/'])]]));
  });

  it('flags a protected path removed from API Shield', () => {
    const head = edited((edge) => {
      const rule = shieldRule(edge);
      rule.expression = rule.expression.replace(' or starts_with(http.request.uri.path, "/admin/")', '');
    });
    const r = review(head, dev.stacks);
    const edge = r.stacks.find((s) => s.stack === 'dev-edge')!;
    expect(edge.weakenings).toEqual([
      { stack: 'dev-edge', address: expect.stringMatching(/^cloudflare_ruleset\./), kind: 'api-shield-scope', message: 'path prefix "/admin/" of "api.dev.example.com" is no longer protected' },
    ]);
    // Still passes the policy: only the comparison with the base can see it.
    expect(edge.findings).toEqual([]);
    expect(renderReviewMarkdown(r)).toContain('| ⚠️ API Shield protects less | path prefix "/admin/" of "api.dev.example.com" is no longer protected |');
  });

  it('flags a disabled rule and a host dropped from the rule, and accepts a rule widened to every path', () => {
    const disabled = review(edited((edge) => (shieldRule(edge).enabled = false)), dev.stacks);
    expect(disabled.stacks.flatMap((s) => s.weakenings).map((w) => w.message)).toContainEqual('"api.dev.example.com" is no longer protected: no block rule requires a verified client certificate for it');
    const widened = review(
      edited((edge) => {
        const rule = shieldRule(edge);
        rule.expression = '(http.host in {"api.dev.example.com"}) and (not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked)';
      }),
      dev.stacks,
    );
    expect(widened.stacks.flatMap((s) => s.weakenings)).toEqual([]);
  });

  it('sees no weakening in an identical or reordered base', () => {
    const reordered = new Map([...dev.stacks].map(([n, j]) => [n, JSON.parse(JSON.stringify(j, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)))]));
    expect(reviewMarks(review(dev.stacks, reordered))).toBe(0);
  });

  it('flags an IAM policy that allows more or denies less', () => {
    const base = new TfStack('dev-origin', dev.stacks.get('dev-origin')!);
    const json = structuredClone(dev.stacks.get('dev-origin')!);
    const doc = Object.values<any>(json.data.aws_iam_policy_document)[0];
    const deny = doc.statement.find((s: any) => s.effect === 'Deny');
    deny.condition = [];
    doc.statement.push({ effect: 'Allow', actions: ['s3:GetObject'], principals: [{ type: '*', identifiers: ['*'] }], resources: ['arn:aws:s3:::b/*'] });
    const found = weakenings(base, new TfStack('dev-origin', json)).map((w) => `${w.kind}: ${w.message}`);
    expect(found).toContain('policy-loosened: newly allows s3:GetObject on arn:aws:s3:::b/*');
    expect(found.some((m) => /^policy-loosened: no longer denies s3:\* on .* when Bool aws:SecureTransport \["false"\]$/.test(m))).toBe(true);
  });

  it('flags an Access policy that admits more', () => {
    const policy = (include: unknown[]) => new TfStack('dev-edge', { resource: { cloudflare_zero_trust_access_policy: { P: { decision: 'non_identity', include } } } });
    const found = weakenings(policy([{ certificate: {} }]), policy([{ certificate: {} }, { everyone: {} }]));
    expect(found.map((w) => w.message)).toEqual(['now also admits {"everyone":{}}']);
  });

  it('flags a CA newly trusted: another source joined into the API Shield CA, a new CA resource', () => {
    const head = edited((edge) => {
      const ca = Object.values<any>(edge.resource.cloudflare_mtls_certificate)[0];
      ca.certificates = `${ca.certificates}\${data.terraform_remote_state.partner.outputs.partner_ca_pem}`;
    });
    const found = review(head, dev.stacks).stacks.flatMap((s) => s.weakenings);
    expect(found).toEqual([expect.objectContaining({ kind: 'ca-added', message: 'API Shield client CA now trusts data.terraform_remote_state.partner.outputs.partner_ca_pem' })]);
    const added = weakenings(new TfStack('dev-edge', {}), new TfStack('dev-edge', { resource: { cloudflare_zero_trust_access_mtls_certificate: { Partner: { certificate: '${var.partner}' } } } }));
    expect(added.map((w) => w.message)).toEqual(['a new Access mTLS CA is trusted']);
  });

  const openssl = opensslUnavailableReason();
  (openssl ? it.skip : it)(`names a literal CA added to a PEM bundle by subject${openssl ? ` (SKIPPED: ${openssl})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-ca-'));
    try {
      const bench = new OpensslWorkbench(dir);
      const ca = (cn: string) => bench.issue(cn.replace(/\W/g, ''), { subject: `/CN=${cn}`, ca: true, keyUsage: ['keyCertSign', 'cRLSign'], key: { type: 'ec', curve: 'P-256' } }).certPem;
      const ours = ca('Our Client CA');
      const partner = ca('Partner CA');
      const stack = (pem: string) => new TfStack('dev-edge', { resource: { cloudflare_mtls_certificate: { Ca: { ca: true, certificates: pem } } } });
      const found = weakenings(stack(ours), stack(`${ours}${partner}`)).map((w) => w.message);
      expect(found).toEqual([expect.stringMatching(/^API Shield client CA now trusts CN=Partner CA \(sha256 [0-9a-f]{16}\)$/)]);
      expect(weakenings(stack(`${ours}${partner}`), stack(`${partner}\n${ours}`))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists a policy finding the branch introduces as a weakening too', () => {
    const head = edited((edge) => {
      Object.values<any>(edge.resource.cloudflare_zone_setting).find((s) => s.setting_id === 'ssl').value = 'full';
    });
    const edge = review(head, dev.stacks).stacks.find((s) => s.stack === 'dev-edge')!;
    expect(edge.weakenings).toEqual([expect.objectContaining({ kind: 'new-finding', message: expect.stringMatching(/^CF-SSL-STRICT: ssl is "full"/) })]);
  });
});
