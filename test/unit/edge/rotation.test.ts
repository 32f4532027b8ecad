import { readSnapshot } from '../../../conformance/regenerate';
import { PROVIDER_SOURCES } from '../../../conformance/sources';
import { baseEnvironment, envDir, withField } from '../../support/env-files';
import { appModel, generationsIn, planBetween, type Action, type AppModel } from '../../support/plan-model';
import { synthStacks } from '../../support/synth';

/**
 * Rotating the CA generation of an environment as three env-file changes: before
 * (`caGenerations: [1]`), overlap (`[2, 1]`: the new generation issues, both are
 * trusted) and after (`[2]`). Each step is synthesized; the plan between steps is read
 * from the JSON with the providers' force-replacement facts (conformance/).
 */
const snapshots = PROVIDER_SOURCES.map((s) => readSnapshot(s.provider, s.version));
const step = (generations: number[]): AppModel =>
  appModel(synthStacks('dev', envDir({ dev: withField(baseEnvironment('dev'), 'pki', { mode: 'generated', caGenerations: generations }) })));
const before = step([1]);
const overlap = step([2, 1]);
const after = step([2]);

/** `stack/type` -> actions, with the logical name's hash left out, for a readable record. */
function record(plan: Map<string, Action>): string[] {
  return [...plan].map(([addr, action]) => `${addr.replace(/_[0-9A-F]{8}$/, '')}: ${action}`).sort();
}
const of = (model: AppModel, stack: string, type: string) => [...model].filter(([a]) => a.startsWith(`${stack}/${type}.`));

/**
 * The gap check: while a step is applied (stacks in order pki, origin, edge), every
 * hostname must be served by an origin-pull certificate the origin's truststore trusts
 * and by a trusted client CA. The truststore of the new step must therefore trust the
 * issuer of the certificate Cloudflare presents before AND after the edge stack is
 * applied, and every Cloudflare certificate upload that is replaced must be created
 * before the old one is destroyed.
 */
function gaps(from: AppModel, to: AppModel): string[] {
  const problems: string[] = [];
  const truststore = (m: AppModel) => generationsIn(m, of(m, 'dev-origin', 'aws_s3_object').map(([, r]) => r.attrs.content).join(' '));
  // The custody stack (dev-pki) uploads the certificate Cloudflare presents.
  const presented = (m: AppModel) => generationsIn(m, of(m, 'dev-pki', 'cloudflare_authenticated_origin_pulls_hostname_certificate').map(([, r]) => r.attrs.certificate).join(' '));
  const trusted = truststore(to);
  for (const g of [...presented(from), ...presented(to)]) if (!trusted.has(g)) problems.push(`origin-pull certificate of CA generation ${g} is presented while the truststore holds only ${[...trusted]}`);
  const apiShield = (m: AppModel) => generationsIn(m, of(m, 'dev-edge', 'cloudflare_mtls_certificate').map(([, r]) => r.attrs.certificates).join(' '));
  const issuing = (m: AppModel) => generationsIn(m, of(m, 'dev-pki', 'tls_locally_signed_cert').filter(([a]) => a.includes('OriginPullClient')).map(([, r]) => r.attrs.ca_cert_pem).join(' '));
  // Clients hold certificates of the old issuing generation until they are reissued.
  for (const g of issuing(from)) if (!apiShield(to).has(g)) problems.push(`client certificates of CA generation ${g} stop verifying at API Shield`);
  for (const [addr, action] of planBetween(from, to, snapshots)) {
    if (addr.includes('/cloudflare_') && action === 'replace (destroy before create)') problems.push(`${addr} is destroyed before its replacement exists`);
  }
  return problems;
}

describe('CA rotation in three env-file steps', () => {
  it('before -> overlap: the new generation is created, every certificate upload is replaced new-first, the association and truststore are updated in place', () => {
    const plan = planBetween(before, overlap, snapshots);
    const r = record(plan);
    expect(r).toEqual(expect.arrayContaining([
      'dev-pki/tls_self_signed_cert.Pki_CaG2_RootCertificate: create',
      'dev-pki/tls_locally_signed_cert.Pki_CaG2_IntermediateCertificate: create',
      'dev-pki/tls_locally_signed_cert.Pki_OriginPullClientG1_Certificate: replace (destroy before create)',
      'dev-pki/aws_ssm_parameter.Public_ca-g2-root: create',
      'dev-pki/aws_ssm_parameter.Public_ca-g2-intermediate: create',
      'dev-origin/aws_s3_object.Truststore_Bundle: update',
      // The upload (with its key) is the custody stack's; the edge follows the id it publishes.
      'dev-pki/cloudflare_authenticated_origin_pulls_hostname_certificate.OriginPulls_OriginPullHostnameCertificate: replace (create before destroy)',
      'dev-pki/aws_ssm_parameter.Public_origin-pull-certificate-id: update',
      'dev-edge/cloudflare_authenticated_origin_pulls.OriginPulls_Hostname-apidevexamplecom: update',
      'dev-edge/cloudflare_mtls_certificate.ApiShield_ClientCa: replace (create before destroy)',
      'dev-edge/cloudflare_certificate_authorities_hostname_associations.ApiShield_ClientCaHostnames: update',
    ]));
    // The old generation stays: nothing of CaG1 is touched.
    expect(r.filter((l) => l.includes('CaG1'))).toEqual([]);
    expect(gaps(before, overlap)).toEqual([]);
  });

  it('overlap -> after: the old generation is destroyed; the uploads holding both are replaced new-first; the origin-pull certificate is already the new one', () => {
    const plan = planBetween(overlap, after, snapshots);
    const r = record(plan);
    expect(r).toEqual(expect.arrayContaining([
      'dev-pki/tls_self_signed_cert.Pki_CaG1_RootCertificate: destroy',
      'dev-pki/tls_locally_signed_cert.Pki_CaG1_IntermediateCertificate: destroy',
      'dev-pki/aws_ssm_parameter.Public_ca-g1-root: destroy',
      'dev-pki/aws_ssm_parameter.Public_ca-g1-intermediate: destroy',
      'dev-origin/aws_s3_object.Truststore_Bundle: update',
      'dev-edge/cloudflare_mtls_certificate.ApiShield_ClientCa: replace (create before destroy)',
    ]));
    expect(r.some((l) => l.includes('OriginPullClient'))).toBe(false);
    expect(r.some((l) => l.includes('cloudflare_authenticated_origin_pulls_hostname_certificate'))).toBe(false);
    expect(gaps(overlap, after)).toEqual([]);
  });

  it('skipping the overlap is caught: the presented certificate and the clients lose their CA', () => {
    expect(gaps(before, after)).toEqual([
      'origin-pull certificate of CA generation 1 is presented while the truststore holds only 2',
      'client certificates of CA generation 1 stop verifying at API Shield',
    ]);
  });

  it('without create_before_destroy the check names the upload destroyed first', () => {
    const stripped = new Map([...overlap].map(([a, r]) => [a, { ...r, createBeforeDestroy: false }]));
    expect(gaps(before, stripped)).toEqual(expect.arrayContaining([expect.stringMatching(/cloudflare_mtls_certificate\.ApiShield_ClientCa_\w+ is destroyed before its replacement exists/)]));
  });

  it('every Cloudflare resource whose certificate forces replacement creates before it destroys, in every environment', () => {
    const all = appModel(synthStacks());
    const certificateBearing = (type: string) =>
      Object.entries(snapshots[0].resources[type]?.attributes ?? {}).some(([n, a]) => /certificate|private_key/.test(n) && a.mode !== 'computed' && a.forcesReplacement);
    const found = [...all].filter(([, r]) => r.type.startsWith('cloudflare_') && certificateBearing(r.type));
    expect(new Set(found.map(([, r]) => r.type))).toEqual(new Set(['cloudflare_authenticated_origin_pulls_hostname_certificate', 'cloudflare_mtls_certificate', 'cloudflare_zero_trust_access_mtls_certificate', 'cloudflare_keyless_certificate']));
    for (const [addr, r] of found) expect({ addr, cbd: r.createBeforeDestroy }).toEqual({ addr, cbd: true });
  });
});
