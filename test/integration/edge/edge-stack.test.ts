import { createPrivateKey, X509Certificate } from 'node:crypto';
import { listEnvironments, loadEnvironment } from '../../../envs/load';
import { publicParameterPrefix } from '../../../lib/naming';
import { isCloudflareSharedOriginPullCa } from '../../../lib/x509';
import { checkExpression } from '../../../modules/edge/waf-expression';
import { generateTestPki, privateKeyLeaks, synthEdgeStacks, TEST_ORIGIN_PULL_KEY_VARIABLE, type TestPki } from '../../support/edge-fixtures';
import { opensslUnavailableReason } from '../../support/openssl';
import { onlyResource, resourcesOf, type StackJson } from '../../support/synth';
import { describeUnless } from '../../support/skip';

const describeWithOpenssl = describeUnless(opensslUnavailableReason(), 'edge stack tests with a test-time PKI');

const settingsOf = (stack: StackJson) =>
  Object.fromEntries(Object.values<any>(resourcesOf(stack, 'cloudflare_zone_setting')).map((s) => [s.setting_id, s.value]));

/**
 * How the edge stack gets a value the custody stack publishes as `name`: the custody stack
 * writes `value` to the SSM String parameter `/edge-mtls/<env>/public/<name>`, and the edge
 * stack reads that parameter without decrypting it. Returns the edge's reference to it.
 */
const publishedToEdge = (env: string, custody: StackJson, edge: StackJson, name: string, value: string): string => {
  const parameterName = `${publicParameterPrefix(env)}/${name}`;
  const published = Object.values<any>(resourcesOf(custody, 'aws_ssm_parameter')).filter((p) => p.name === parameterName);
  expect(published).toEqual([expect.objectContaining({ type: 'String', insecure_value: value })]);
  const reads = Object.entries<any>(edge.data?.aws_ssm_parameter ?? {}).filter(([, d]) => d.name === parameterName);
  expect(reads).toHaveLength(1);
  const [[readName, read]] = reads;
  expect(read.with_decryption).toBe(false);
  return `\${data.aws_ssm_parameter.${readName}.insecure_value}`;
};

describeWithOpenssl('the edge of every environment, fed by a PKI made with openssl at test time', () => {
  const envs = listEnvironments().map((name) => loadEnvironment(name));
  let pki: TestPki;
  let synthesized: ReturnType<typeof synthEdgeStacks>;
  const edgeOf = (name: string) => synthesized.stacks.get(`${name}-edge`)!;
  /** The custody stack (`<env>-pki`): it holds the origin-pull upload and its key. */
  const custodyOf = (name: string) => synthesized.stacks.get(`${name}-pki`)!;

  beforeAll(() => {
    pki = generateTestPki();
    synthesized = synthEdgeStacks(envs, pki);
  });

  it.each(listEnvironments())('%s: SSL strict, TLS 1.2 or newer, HTTPS only, TLS 1.3 on', (name) => {
    const settings = settingsOf(edgeOf(name));
    expect(settings).toEqual({ ssl: 'strict', min_tls_version: expect.stringMatching(/^1\.[23]$/), always_use_https: 'on', tls_1_3: 'on' });
    for (const h of Object.values<any>(resourcesOf(edgeOf(name), 'cloudflare_hostname_tls_setting'))) {
      expect(h.setting_id).toBe('min_tls_version');
      expect(['1.2', '1.3']).toContain(h.value);
    }
  });

  it.each(listEnvironments())('%s: every protected hostname is a proxied CNAME to its API Gateway regional name', (name) => {
    const { config } = envs.find((e) => e.config.name === name)!;
    const records = Object.values<any>(resourcesOf(edgeOf(name), 'cloudflare_dns_record'));
    expect(records.map((r) => r.name).sort()).toEqual(config.hostnames.map((h) => h.name).sort());
    for (const r of records) {
      expect(r).toMatchObject({ type: 'CNAME', proxied: true, ttl: 1, zone_id: config.cloudflare.zoneId });
      expect(r.content).toMatch(/^d-test\d+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/);
    }
  });

  /** The presented certificate is ours: issued and signed by our CA, not the shared one's lookalike, not a CA. */
  const expectOurCertificate = (pem: string) => {
    const presented = new X509Certificate(pem);
    const ourCa = new X509Certificate(pki.caPem);
    expect(presented.checkIssued(ourCa)).toBe(true);
    expect(presented.verify(ourCa.publicKey)).toBe(true);
    expect(presented.verify(new X509Certificate(pki.sharedCaPem).publicKey)).toBe(false);
    expect(isCloudflareSharedOriginPullCa(presented)).toBe(false);
    expect(presented.ca).toBe(false);
  };

  it.each(listEnvironments())('%s: per-hostname origin pulls: our certificate uploaded once (by the custody stack), enabled for every hostname that points at the origin, nothing zone-wide', (name) => {
    const { config } = envs.find((e) => e.config.name === name)!;
    const stack = edgeOf(name);
    const custody = custodyOf(name);
    const [[uploadName, upload]] = Object.entries<any>(resourcesOf(custody, 'cloudflare_authenticated_origin_pulls_hostname_certificate'));
    expect(Object.keys(resourcesOf(custody, 'cloudflare_authenticated_origin_pulls_hostname_certificate'))).toHaveLength(1);
    expect(upload.zone_id).toBe(config.cloudflare.zoneId);
    expectOurCertificate(upload.certificate);
    // The edge uploads nothing: it switches origin pulls on with the id the custody stack publishes.
    expect(stack.resource.cloudflare_authenticated_origin_pulls_hostname_certificate).toBeUndefined();
    const certId = publishedToEdge(name, custody, stack, 'origin-pull-certificate-id', `\${cloudflare_authenticated_origin_pulls_hostname_certificate.${uploadName}.id}`);
    const associations = Object.values<any>(resourcesOf(stack, 'cloudflare_authenticated_origin_pulls'));
    expect(associations.map((a) => a.config[0].hostname).sort()).toEqual(config.hostnames.map((h) => h.name).sort());
    for (const a of associations) {
      // One hostname per resource: the 5.22 provider refuses any other count at apply time.
      expect({ ...a, '//': undefined }).toEqual({ '//': undefined, zone_id: config.cloudflare.zoneId, config: [{ hostname: expect.any(String), cert_id: certId, enabled: true }] });
    }
    expect(stack.resource.cloudflare_authenticated_origin_pulls_settings).toBeUndefined();
    expect(stack.resource.cloudflare_authenticated_origin_pulls_certificate).toBeUndefined();
    expect(custody.resource.cloudflare_authenticated_origin_pulls_certificate).toBeUndefined();
  });

  it('zone-level origin pulls (env option): the zone certificate (custody stack), switched on only after the upload', () => {
    const env = envs.find((e) => e.config.name === 'dev')!;
    const zoneWide = { ...env, config: { ...env.config, edge: { ...env.config.edge, originPulls: 'zone' as const } } };
    const zoneSynth = synthEdgeStacks([zoneWide], pki);
    const stack = zoneSynth.stacks.get('dev-edge')!;
    const custody = zoneSynth.stacks.get('dev-pki')!;
    const [[uploadName, upload]] = Object.entries<any>(resourcesOf(custody, 'cloudflare_authenticated_origin_pulls_certificate'));
    expect(Object.keys(resourcesOf(custody, 'cloudflare_authenticated_origin_pulls_certificate'))).toHaveLength(1);
    expect(custody.resource.cloudflare_authenticated_origin_pulls_hostname_certificate).toBeUndefined();
    expect(stack.resource.cloudflare_authenticated_origin_pulls_certificate).toBeUndefined();
    const settings = onlyResource(stack, 'cloudflare_authenticated_origin_pulls_settings');
    expect(settings).toMatchObject({ enabled: true, zone_id: upload.zone_id });
    // Enabling before the upload would make Cloudflare present its shared certificate meanwhile:
    // the edge reads the id the custody stack publishes only once the upload exists (its plan
    // waits for the parameter), and the edge stack is applied after the custody stack.
    publishedToEdge('dev', custody, stack, 'origin-pull-certificate-id', `\${cloudflare_authenticated_origin_pulls_certificate.${uploadName}.id}`);
    const manifest = JSON.parse(zoneSynth.files.get('manifest.json')!);
    expect(manifest.stacks['dev-edge'].dependencies).toContain('dev-pki');
    // And the switch itself names that read (a precondition), so no caller of the module can
    // switch zone-level origin pulls on before the upload's id exists.
    expect(settings.lifecycle.precondition).toEqual([
      { condition: "${(length(data.aws_ssm_parameter.Custody-origin-pull-certificate-id.insecure_value) >= 1)}", error_message: expect.stringContaining('uploaded before') },
    ]);
    expectOurCertificate(upload.certificate);
    expect(stack.resource.cloudflare_authenticated_origin_pulls).toBeUndefined();
    expect(Object.values<any>(resourcesOf(stack, 'cloudflare_notification_policy')).map((p) => p.alert_type)).toContain('zone_aop_custom_certificate_expiration_type');
  });

  it.each(listEnvironments())('%s: every API Shield host is covered by a block rule on an unverified certificate', (name) => {
    const { config } = envs.find((e) => e.config.name === name)!;
    const stack = edgeOf(name);
    const shielded = config.hostnames.filter((h) => h.apiShield);
    const rulesets = Object.values<any>(resourcesOf(stack, 'cloudflare_ruleset'));
    if (shielded.length === 0 && config.edge.firewall.keepRules.length === 0) {
      // Nothing to add or keep: the zone's existing custom rules are left alone.
      expect(rulesets).toEqual([]);
      return;
    }
    const ca = onlyResource(stack, 'cloudflare_mtls_certificate');
    expect(ca).toMatchObject({ ca: true, account_id: config.cloudflare.accountId });
    expect(new X509Certificate(ca.certificates).ca).toBe(true);
    const [ruleset] = rulesets;
    expect(ruleset).toMatchObject({ kind: 'zone', phase: 'http_request_firewall_custom', zone_id: config.cloudflare.zoneId });
    // The CA verifies exactly the protected hostnames, and the block rule waits for that association.
    const [[assocName, association]] = Object.entries<any>(resourcesOf(stack, 'cloudflare_certificate_authorities_hostname_associations'));
    const [[caName]] = Object.entries<any>(resourcesOf(stack, 'cloudflare_mtls_certificate'));
    expect(association).toMatchObject({ zone_id: config.cloudflare.zoneId, mtls_certificate_id: `\${cloudflare_mtls_certificate.${caName}.id}` });
    expect([...association.hostnames].sort()).toEqual(shielded.map((h) => h.name).sort());
    expect(ruleset.depends_on).toContain(`cloudflare_certificate_authorities_hostname_associations.${assocName}`);
    for (const host of shielded) {
      const covering = ruleset.rules.filter((r: any) => r.expression.includes(`http.host in {"${host.name}"}`));
      expect(covering).toHaveLength(1);
      const [rule] = covering;
      expect(rule.action).toBe('block');
      expect(rule.enabled).toBe(true);
      expect(rule.expression).toContain('not cf.tls_client_auth.cert_verified');
      expect(rule.expression.includes('cf.tls_client_auth.cert_revoked')).toBe(host.apiShield!.blockRevoked);
      for (const prefix of host.apiShield!.pathPrefixes ?? []) expect(rule.expression).toContain(`starts_with(http.request.uri.path, ${JSON.stringify(prefix)})`);
      expect(checkExpression(rule.expression)).toEqual([]);
    }
  });

  it.each(listEnvironments())('%s: every Access application admits only certificates (or named service tokens), without a login page', (name) => {
    const { config } = envs.find((e) => e.config.name === name)!;
    const stack = edgeOf(name);
    const behindAccess = config.hostnames.filter((h) => h.access);
    const apps = Object.values<any>(resourcesOf(stack, 'cloudflare_zero_trust_access_application'));
    expect(apps.map((a) => a.domain).sort()).toEqual(behindAccess.map((h) => h.name).sort());
    if (behindAccess.length === 0) return;
    const policies = resourcesOf(stack, 'cloudflare_zero_trust_access_policy');
    const policyOf = (ref: string) => policies[/^\$\{cloudflare_zero_trust_access_policy\.([^.]+)\.id\}$/.exec(ref)![1]];
    const caRecord = onlyResource(stack, 'cloudflare_zero_trust_access_mtls_certificate');
    expect(new X509Certificate(caRecord.certificate).ca).toBe(true);
    for (const app of apps) {
      expect(app.type).toBe('self_hosted');
      expect(caRecord.associated_hostnames).toContain(app.domain);
      const attached = app.policies.map((p: any) => policyOf(p.id));
      expect(attached.length).toBeGreaterThan(0);
      for (const p of attached) expect(p.decision).toBe('non_identity');
      const certificatePolicies = attached.filter(
        (p: any) => p.include.every((rule: any) => rule.certificate || rule.common_name) && (p.include.some((r: any) => r.certificate) || p.require?.some((r: any) => r.certificate)),
      );
      expect(certificatePolicies.length).toBeGreaterThanOrEqual(1);
      const host = behindAccess.find((h) => h.name === app.domain)!;
      const commonNames = certificatePolicies.flatMap((p: any) => p.include.flatMap((r: any) => (r.common_name ? [r.common_name.common_name] : [])));
      expect(commonNames.sort()).toEqual([...(host.access!.commonNames ?? [])].sort());
      const tokenPolicies = attached.filter((p: any) => p.include.some((r: any) => r.service_token));
      expect(tokenPolicies).toHaveLength(host.access!.serviceTokens?.length ?? 0);
      // Each admits the token the custody stack made (its secret stays there), by the id it publishes.
      const custody = custodyOf(name);
      const tokenIds = (host.access!.serviceTokens ?? []).map((token) => {
        const [[tokenName]] = Object.entries<any>(resourcesOf(custody, 'cloudflare_zero_trust_access_service_token')).filter(([, t]) => t.name === `${name}-${token}`);
        return publishedToEdge(name, custody, stack, `access-service-token-${token}-id`, `\${cloudflare_zero_trust_access_service_token.${tokenName}.id}`);
      });
      expect(tokenPolicies.flatMap((p: any) => p.include.map((r: any) => r.service_token.token_id)).sort()).toEqual(tokenIds.sort());
    }
  });

  it.each(listEnvironments())('%s: the edge stack leaves account-wide Access hostname settings to the account stack', (name) => {
    expect(resourcesOf(edgeOf(name), 'cloudflare_zero_trust_access_mtls_hostname_settings')).toEqual({});
  });

  it.each(listEnvironments())('%s: Access service tokens (their client secret is in state) are made by the custody stack only', (name) => {
    const { config } = envs.find((e) => e.config.name === name)!;
    const tokens = [...new Set(config.hostnames.flatMap((h) => h.access?.serviceTokens ?? []))];
    expect(resourcesOf(edgeOf(name), 'cloudflare_zero_trust_access_service_token')).toEqual({});
    expect(Object.values<any>(resourcesOf(custodyOf(name), 'cloudflare_zero_trust_access_service_token')).map((t) => t.name).sort()).toEqual(tokens.map((t) => `${name}-${t}`).sort());
  });

  it.each(listEnvironments())('%s: expiry alerts watch every certificate kind in use and go to the configured destinations', (name) => {
    const { config } = envs.find((e) => e.config.name === name)!;
    const policies = Object.values<any>(resourcesOf(edgeOf(name), 'cloudflare_notification_policy'));
    const expected = ['hostname_aop_custom_certificate_expiration_type'];
    if (config.hostnames.some((h) => h.apiShield)) expected.push('mtls_certificate_store_certificate_expiration_type');
    if (config.hostnames.some((h) => h.access)) expected.push('access_custom_certificate_expiration_type');
    if (config.hostnames.some((h) => h.access?.serviceTokens)) expected.push('expiring_service_token_alert');
    expect(policies.map((p) => p.alert_type).sort()).toEqual(expected.sort());
    for (const p of policies) {
      expect(p.enabled).toBe(true);
      expect(p.mechanisms.email?.map((e: any) => e.id)).toEqual(config.edge.alerts.email ? [config.edge.alerts.email] : undefined);
      expect(p.mechanisms.webhooks?.length ?? 0).toBe(config.edge.alerts.webhook ? 1 : 0);
    }
  });

  it('the origin-pull private key appears nowhere in what was synthesized: only as a sensitive reference, in the custody stack', () => {
    for (const [file, text] of synthesized.files) expect({ file, leaks: privateKeyLeaks(text, pki.originPullKeyPem, [pki.originPullPem]) }).toEqual({ file, leaks: [] });
    for (const name of listEnvironments()) {
      const upload = onlyResource(custodyOf(name), 'cloudflare_authenticated_origin_pulls_hostname_certificate');
      expect(upload.private_key).toBe(`\${var.${TEST_ORIGIN_PULL_KEY_VARIABLE}}`);
      expect(custodyOf(name).variable[TEST_ORIGIN_PULL_KEY_VARIABLE]).toMatchObject({ type: 'string', sensitive: true });
      // The edge stack has no key, no sensitive variable and no way into the custody stack's state.
      expect(edgeOf(name).variable).toBeUndefined();
      expect(Object.keys(edgeOf(name).data?.terraform_remote_state ?? {}).filter((r) => r.includes('pki'))).toEqual([]);
    }
  });

  it('the leak scan finds a key that is there, in PEM or JSON-escaped form', () => {
    const publicParts = [pki.originPullPem];
    expect(privateKeyLeaks(pki.originPullKeyPem, pki.originPullKeyPem, publicParts)).toContain('a PEM "PRIVATE KEY" block');
    const body = pki.originPullKeyPem.replace(/-----[^-]+-----/g, '');
    expect(privateKeyLeaks(JSON.stringify({ private_key: body }), pki.originPullKeyPem, publicParts)).toEqual(['key material at offset 0']);
    const { d } = createPrivateKey(pki.originPullKeyPem).export({ format: 'jwk' });
    expect(privateKeyLeaks(`{"k":"${Buffer.from(d!, 'base64url').toString('hex')}"}`, pki.originPullKeyPem, publicParts)).toEqual(['the secret scalar']);
    expect(privateKeyLeaks(pki.originPullPem, pki.originPullKeyPem, publicParts)).toEqual([]);
  });
});
