import Cloudflare from 'cloudflare';
import { budgetFor } from '../../support/budget';
import { runInProcess } from '../../support/run-command';
import type { SettingGetResponse } from 'cloudflare/resources/zones/settings';
import { auditEdge, declaredResources, type DeclaredResource, HANDLING, noRefreshFacts, type StateValues } from '../../../tools/drift/edge-audit';
import { planCommand } from '../../../tools/plan/command';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { type FakeCloudflare, type FakeEdgeState, mtlsCa, originPull, startFakeCloudflare } from '../../support/fake-cloudflare';
import { withoutHeartbeats } from '../../support/heartbeat';
import { scratchDir } from '../../support/scratch';

const ZONE = '0123456789abcdef0123456789abcdef';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const HOST = 'api.example.test';

/** The zone settings `local` declares, as GET /zones/{id}/settings/{setting} returns them. */
function zoneSettings(): Record<string, SettingGetResponse> {
  const ssl: SettingGetResponse.ZonesSSL2 = { id: 'ssl', value: 'strict', editable: true };
  const minTls: SettingGetResponse = { id: 'min_tls_version', value: '1.2', editable: true };
  const tls13: SettingGetResponse = { id: 'tls_1_3', value: 'on', editable: true };
  const https: SettingGetResponse.ZonesAlwaysUseHTTPS2 = { id: 'always_use_https', value: 'on', editable: true };
  return { ssl, min_tls_version: minTls, tls_1_3: tls13, always_use_https: https };
}

/** One out-of-band change at the edge, and where the audit must name it. */
interface EdgeChange {
  readonly what: string;
  readonly change: (edge: FakeEdgeState) => void;
  readonly resource: RegExp;
  readonly field: RegExp;
  readonly hostname?: string;
}

const EDGE_CHANGES: readonly EdgeChange[] = [
  { what: 'per-hostname origin pulls switched off', change: (e) => (e.originPulls[HOST].enabled = false), resource: /cloudflare_authenticated_origin_pulls\./, field: /^config\[0\]\.enabled$/, hostname: HOST },
  { what: 'per-hostname origin pulls set to null (zone default)', change: (e) => (e.originPulls[HOST].enabled = null), resource: /cloudflare_authenticated_origin_pulls\./, field: /^config\[0\]\.enabled$/, hostname: HOST },
  { what: 'origin pulls present another client certificate', change: (e) => (e.originPulls[HOST].cert_id = 'someone-elses-cert'), resource: /cloudflare_authenticated_origin_pulls\./, field: /^config\[0\]\.cert_id$/, hostname: HOST },
  { what: 'per-hostname origin pulls setting deleted', change: (e) => delete e.originPulls[HOST], resource: /cloudflare_authenticated_origin_pulls\./, field: /^config\[0\]$/, hostname: HOST },
  { what: 'API Shield hostname associated with a foreign CA of the account', change: (e) => (e.associations['ca-foreign'] = { hostnames: [HOST] }), resource: /cloudflare_certificate_authorities_hostname_associations\./, field: /^mtls_certificate_id$/, hostname: HOST },
  { what: "API Shield hostname moved to Cloudflare's managed CA", change: (e) => { e.associations[''] = { hostnames: [HOST] }; e.associations['ca-ours'] = { hostnames: [] }; }, resource: /cloudflare_certificate_authorities_hostname_associations\./, field: /^mtls_certificate_id$/, hostname: HOST },
  { what: 'API Shield association with our CA removed', change: (e) => (e.associations['ca-ours'] = { hostnames: [] }), resource: /cloudflare_certificate_authorities_hostname_associations\./, field: /^mtls_certificate_id$/, hostname: HOST },
  { what: 'a foreign CA on the last page of the certificate list holds the hostname', change: (e) => { e.mtlsCertificates.push(mtlsCa('ca-late', 'late')); e.associations['ca-late'] = { hostnames: [HOST] }; }, resource: /cloudflare_certificate_authorities_hostname_associations\./, field: /^mtls_certificate_id$/, hostname: HOST },
  { what: 'Access client-certificate forwarding switched off', change: (e) => (e.accessSettings.find((s) => s.hostname === HOST)!.client_certificate_forwarding = false), resource: /cloudflare_zero_trust_access_mtls_hostname_settings\./, field: /^settings\[\d+\]\.client_certificate_forwarding$/, hostname: HOST },
  { what: 'Access hostname settings entry removed', change: (e) => (e.accessSettings = e.accessSettings.filter((s) => s.hostname !== HOST)), resource: /cloudflare_zero_trust_access_mtls_hostname_settings\./, field: /^settings\[\d+\]$/, hostname: HOST },
  { what: 'zone SSL mode lowered to flexible (plain HTTP to the origin)', change: (e) => ((e.zoneSettings.ssl as SettingGetResponse.ZonesSSL2).value = 'flexible'), resource: /cloudflare_zone_setting\.Zone_Setting-ssl/, field: /^value \(ssl\)$/ },
  { what: 'zone minimum TLS lowered to 1.0', change: (e) => (e.zoneSettings.min_tls_version = { id: 'min_tls_version', value: '1.0' }), resource: /cloudflare_zone_setting\.Zone_Setting-min_tls_version/, field: /^value \(min_tls_version\)$/ },
];

describe('edge live audit: the Cloudflare fields the provider never re-reads, read live through the cloudflare client', () => {
  let fake: FakeCloudflare;
  let resources: DeclaredResource[];
  let state: StateValues;
  let clean: FakeEdgeState;
  const client = () => new Cloudflare({ apiToken: 'test-token', baseURL: fake.baseURL, maxRetries: 0 });
  const audit = () => auditEdge('local', resources, { client: client(), accountId: ACCOUNT, state });

  beforeAll(async () => {
    resources = declaredResources(synthesizeJson('local').stacks);
    const address = (type: string) => { const r = resources.find((x) => x.type === type)!; return `${r.type}.${r.name}`; };
    state = new Map([
      [address('cloudflare_authenticated_origin_pulls_hostname_certificate'), { id: 'aop-cert-ours' }],
      // The edge reads the upload's id from what the custody stack published: that read is
      // in the edge stack's own state (the drift role cannot read the custody stack's).
      ['data.aws_ssm_parameter.Custody-origin-pull-certificate-id', { insecure_value: 'aop-cert-ours' }],
      [address('cloudflare_mtls_certificate'), { id: 'ca-ours' }],
    ]);
    const access = resources.find((r) => r.type === 'cloudflare_zero_trust_access_mtls_hostname_settings')!.config.settings as Array<{ hostname: string; china_network: boolean; client_certificate_forwarding: boolean }>;
    clean = {
      accountId: ACCOUNT,
      originPulls: { [HOST]: originPull(HOST, 'aop-cert-ours', true) },
      originPullSettings: { enabled: false },
      // Five CAs, two per page: the list is read to its last page.
      mtlsCertificates: [mtlsCa('ca-ours', 'local API Shield CA'), mtlsCa('ca-foreign', 'someone'), mtlsCa('ca-3', 'c'), mtlsCa('ca-4', 'd'), mtlsCa('ca-5', 'e')],
      associations: { 'ca-ours': { hostnames: [HOST] } },
      accessSettings: access.map((s) => ({ ...s })),
      zoneSettings: zoneSettings(),
    };
    fake = await startFakeCloudflare(ZONE, [], { edge: structuredClone(clean) });
  });
  afterAll(() => fake.stop());
  const reset = () => Object.assign(fake.edge, structuredClone(clean));

  it('every never-re-read fact of the provider snapshot is classified (audited live, or invisible with a reason), and nothing else', () => {
    const facts = noRefreshFacts().map((f) => `${f.type}.${f.attribute}`).sort();
    expect(Object.keys(HANDLING).sort()).toEqual(facts);
    for (const f of noRefreshFacts()) expect(f.evidence).toMatch(/^v5\.22\.0:internal\/services\/[a-z_]+\/model\.go:\d+$/);
    const audited = Object.entries(HANDLING).filter(([, h]) => 'audit' in h).map(([k]) => k);
    expect(audited.sort()).toEqual(['cloudflare_authenticated_origin_pulls.config', 'cloudflare_certificate_authorities_hostname_associations.mtls_certificate_id', 'cloudflare_zero_trust_access_mtls_hostname_settings.settings']);
  });

  it('is clean when the edge matches the code, and says what it read', async () => {
    reset();
    const r = await audit();
    expect({ findings: r.findings, notes: r.notes }).toEqual({ findings: [], notes: [] });
    expect(r.checked).toEqual(expect.arrayContaining([`cloudflare_authenticated_origin_pulls.config (${HOST})`, 'cloudflare_zone_setting ssl', `cloudflare_zero_trust_access_mtls_hostname_settings.settings (${HOST})`]));
    // The certificate list was read to its last page (5 CAs, 2 per page) and no further.
    expect(fake.requests.filter((q) => q.includes('/mtls_certificates')).map((q) => new URL(q.split(' ')[1], 'http://x').searchParams.get('page'))).toEqual(['1', '2', '3']);
  });

  it.each(EDGE_CHANGES.map((c) => [c.what, c] as const))('%s: a finding naming zone, hostname and field', async (_what, c) => {
    reset();
    c.change(fake.edge);
    const r = await audit();
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings).toContainEqual(expect.objectContaining({ resource: expect.stringMatching(c.resource), field: expect.stringMatching(c.field), ...(c.hostname ? { hostname: c.hostname } : { zone: ZONE }) }));
    for (const f of r.findings) expect(f.fix).toMatch(/terraform apply/);
  });

  it('without state for a reference it says so and still compares what it can', async () => {
    reset();
    fake.edge.originPulls[HOST].enabled = false;
    const r = await auditEdge('local', resources, { client: client(), accountId: ACCOUNT, state: new Map() });
    expect(r.findings.map((f) => f.field)).toEqual(['config[0].enabled']);
    expect(r.notes.join('\n')).toMatch(/cert_id: .* not in state; compared enabled only/);
  });

  it('an API error propagates (exit 1), never reads as a clean edge', async () => {
    reset();
    await expect(auditEdge('local', resources, { client: client(), accountId: 'ffffffffffffffffffffffffffffffff', state })).rejects.toThrow(/404/);
  });

  it('the command: npm run drift -- --edge exits 0 on a clean edge and 2 on an out-of-band change, naming zone, hostname and field', async () => {
    reset();
    const run = () =>
      runInProcess(planCommand('drift'), ['--env', 'local', '--edge', '--state-root', scratchDir('edge-state-')], { CLOUDFLARE_API_TOKEN: 'test-token', CLOUDFLARE_BASE_URL: fake.baseURL });
    const clean = await run();
    expect({ code: clean.code, stderr: withoutHeartbeats(clean.stderr) }).toEqual({ code: 0, stderr: '' });
    expect(clean.stdout).toContain('### Edge live audit: clean');
    fake.edge.originPulls[HOST].enabled = false;
    const drifted = await run();
    expect({ code: drifted.code, stderr: withoutHeartbeats(drifted.stderr) }).toEqual({ code: 2, stderr: '' });
    expect(drifted.stdout).toMatch(/cloudflare_authenticated_origin_pulls\.\S+ zone 0123456789abcdef0123456789abcdef hostname api\.example\.test \| `config\[0\]\.enabled`/);
  }, budgetFor('test', 'test'));

  it(`counts ${EDGE_CHANGES.length} out-of-band edge changes`, () => expect(EDGE_CHANGES.length).toBeGreaterThanOrEqual(10));
});
