import { checkConformance, type ConformanceLine } from '../../../conformance/run';
import { SEMANTIC_RULES } from '../../../conformance/semantic';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { generateTestPki, type TestPki } from '../../support/edge-fixtures';
import { testEnvsDir } from '../../support/env-files';
import { opensslUnavailableReason } from '../../support/openssl';

/**
 * The mutation suite: synthesized JSON the providers would reject or mishandle, made on
 * purpose one mistake at a time, over validators read from the providers' source,
 * semantic rules, stack order and provider versions. Each must be caught by
 * `npm run conformance`'s check and named by rule, stack, resource and attribute.
 * The unmutated stacks of every environment are clean (semantic.test.ts checks that too).
 */

type Json = any;
const synthesized = synthesizeJson(undefined, testEnvsDir());
const clone = <T>(v: T): T => structuredClone(v);

interface World {
  readonly stacks: Map<string, Json>;
  readonly dependencies: Map<string, string[]>;
}

const fresh = (): World => ({
  stacks: new Map([...synthesized.stacks].map(([n, j]) => [n, clone(j)])),
  dependencies: new Map([...synthesized.dependencies].map(([n, d]) => [n, [...d]])),
});

/** The only (or first) resource of a type in a stack: [address, body]. */
function first(w: World, stack: string, type: string, data = false): [string, Json] {
  const table = w.stacks.get(stack)?.[data ? 'data' : 'resource']?.[type];
  const name = table && Object.keys(table).sort()[0];
  if (!name) throw new Error(`${stack} has no ${type}`);
  return [`${data ? 'data.' : ''}${type}.${name}`, table[name]];
}

const ACCOUNT = [...synthesized.stacks.keys()].find((n) => n.startsWith('cloudflare-account-'))!;

interface Mutation {
  readonly name: string;
  readonly kind: 'validator' | 'semantic' | 'ordering' | 'version';
  /** Changes the world; returns the finding expected (resource may be resolved while mutating). */
  readonly mutate: (w: World) => Omit<ConformanceLine, 'message'> & { readonly message?: RegExp };
}

const MUTATIONS: readonly Mutation[] = [
  // ---- validators read from the providers' source (plan-time rejections the enum check missed)
  {
    name: 'ruleset zone_id that is not a 32-hex id (regex)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.zone_id = 'example.com';
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-edge', resource, attribute: 'zone_id', message: /does not match \/\^\[0-9a-f\]\{32\}\$\// };
    },
  },
  {
    name: 'rule action "Block": the case-insensitive enum takes it, the lowercase regex does not',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.rules[0].action = 'Block';
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-edge', resource, attribute: 'rules[0].action', message: /lowercase/ };
    },
  },
  {
    name: 'empty ruleset name (length)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'prod-edge', 'cloudflare_ruleset');
      r.name = '';
      return { rule: 'PROVIDER-VALIDATOR', stack: 'prod-edge', resource, attribute: 'name', message: /length 0, outside at least 1/ };
    },
  },
  {
    name: 'a block response on a rule whose action is not block (RequiresOtherStringAttributeToBe)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.rules[0].action = 'log';
      r.rules[0].action_parameters = { response: { content: 'no certificate', content_type: 'text/plain', status_code: 403 } };
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-edge', resource, attribute: 'rules[0].action_parameters.response', message: /"action" is "block".*it is "log"/ };
    },
  },
  {
    name: 'Access session_duration "24 hours" (regex from a package variable)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'prod-edge', 'cloudflare_zero_trust_access_application');
      r.session_duration = '24 hours';
      return { rule: 'PROVIDER-VALIDATOR', stack: 'prod-edge', resource, attribute: 'session_duration', message: /session_duration" only supports/ };
    },
  },
  {
    name: 'an app-launcher-only attribute on a self_hosted Access application (RequiresOtherStringAttributeToBeOneOf)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'prod-edge', 'cloudflare_zero_trust_access_application');
      r.app_launcher_logo_url = 'https://example.com/logo.png';
      return { rule: 'PROVIDER-VALIDATOR', stack: 'prod-edge', resource, attribute: 'app_launcher_logo_url', message: /"type" is "app_launcher".*it is "self_hosted"/ };
    },
  },
  {
    name: 'DNS record priority 70000 (integer range)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_dns_record');
      r.priority = 70000;
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-edge', resource, attribute: 'priority', message: /70000, outside 0\.\.65535/ };
    },
  },
  {
    name: 'tls root CA validity_period_hours -1 (integer range)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-pki', 'tls_self_signed_cert');
      r.validity_period_hours = -1;
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-pki', resource, attribute: 'validity_period_hours', message: /-1, outside at least 0/ };
    },
  },
  {
    name: 'tls intermediate max_path_length -2 (integer range)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-pki', 'tls_locally_signed_cert');
      r.max_path_length = -2;
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-pki', resource, attribute: 'max_path_length', message: /-2, outside at least -1/ };
    },
  },
  {
    name: 'tls certificate with two subject blocks (list size)',
    kind: 'validator',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-pki', 'tls_self_signed_cert');
      const subject = Array.isArray(r.subject) ? r.subject[0] : r.subject;
      r.subject = [subject, { ...subject, common_name: 'second' }];
      return { rule: 'PROVIDER-VALIDATOR', stack: 'dev-pki', resource, attribute: 'subject', message: /2 entries, outside 0\.\.1/ };
    },
  },
  {
    name: 'an output of a private key that is not marked sensitive',
    kind: 'validator',
    mutate: (w) => {
      const [resource] = first(w, 'dev-pki', 'tls_private_key');
      const pki = w.stacks.get('dev-pki');
      pki.output = { ...pki.output, leaked_key: { value: `\${${resource}.private_key_pem}` } };
      return { rule: 'PROVIDER-SENSITIVE-OUTPUT', stack: 'dev-pki', resource: 'output.leaked_key', attribute: 'value', message: /marks sensitive/ };
    },
  },
  // ---- versions
  {
    name: 'tls ">= 4.2.0, < 5.0.0": admits 4.2.0 although it also admits 4.2.1',
    kind: 'version',
    mutate: (w) => {
      w.stacks.get('prod-pki').terraform.required_providers.tls.version = '>= 4.2.0, < 5.0.0';
      return { rule: 'TLS-RANGE-LOWEST', stack: 'prod-pki', resource: '-', attribute: 'terraform.required_providers.tls.version', message: /admits 4\.2\.0, below 4\.2\.1/ };
    },
  },
  {
    name: 'tls range whose lowest admitted release is not the snapshot the check was built from',
    kind: 'version',
    mutate: (w) => {
      w.stacks.get('dev-pki').terraform.required_providers.tls.version = '> 4.1.0, < 5.0.0';
      return { rule: 'PROVIDER-VERSION', stack: 'dev-pki', resource: '-', attribute: '-', message: /lowest admitted release is 4\.1\.1, not the snapshot's 4\.2\.1/ };
    },
  },
  // ---- semantics: API Shield
  {
    name: 'the WAF rule blocks a hostname the API Shield association does not list',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.rules.push({ ...r.rules[0], ref: 'mtls_www', expression: r.rules[0].expression.replace(/"api\.dev\.example\.com"/, '"www.dev.example.com"') });
      return { rule: 'CF-ASSOC-COVERS-BLOCK', stack: 'dev-edge', resource, attribute: `rules[${r.rules.length - 1}].expression`, message: /www\.dev\.example\.com.*every request .* is blocked/ };
    },
  },
  {
    name: 'the association lists a hostname no block rule protects',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, a] = first(w, 'prod-edge', 'cloudflare_certificate_authorities_hostname_associations');
      a.hostnames = [...a.hostnames, 'partners.example.org'];
      return { rule: 'CF-ASSOC-COVERS-BLOCK', stack: 'prod-edge', resource, attribute: 'hostnames', message: /partners\.example\.org.*lets requests without one through/ };
    },
  },
  {
    name: 'the association is in another zone than the block rule',
    kind: 'semantic',
    mutate: (w) => {
      const [, a] = first(w, 'dev-edge', 'cloudflare_certificate_authorities_hostname_associations');
      a.zone_id = '0123456789abcdef0123456789abcdef';
      const [resource] = first(w, 'dev-edge', 'cloudflare_ruleset');
      return { rule: 'CF-ASSOC-COVERS-BLOCK', stack: 'dev-edge', resource, attribute: 'rules[0].expression', message: /one of zone 0123456789abcdef0123456789abcdef does/ };
    },
  },
  {
    name: 'the association has no CA id (Cloudflare managed CA)',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, a] = first(w, 'dev-edge', 'cloudflare_certificate_authorities_hostname_associations');
      delete a.mtls_certificate_id;
      return { rule: 'CF-ASSOC-CA', stack: 'dev-edge', resource, attribute: 'mtls_certificate_id', message: /managed account CA/ };
    },
  },
  {
    name: 'the association points at the Access CA instead of the API Shield CA',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, a] = first(w, 'prod-edge', 'cloudflare_certificate_authorities_hostname_associations');
      const [access] = first(w, 'prod-edge', 'cloudflare_zero_trust_access_mtls_certificate');
      a.mtls_certificate_id = `\${${access}.id}`;
      return { rule: 'CF-ASSOC-CA', stack: 'prod-edge', resource, attribute: 'mtls_certificate_id', message: /not an uploaded CA/ };
    },
  },
  {
    name: 'the block rule does not depend on the association',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      delete r.depends_on;
      return { rule: 'CF-BLOCK-AFTER-ASSOC', stack: 'dev-edge', resource, attribute: 'depends_on', message: /every request to api\.dev\.example\.com is blocked/ };
    },
  },
  {
    name: 'WAF expression with a field typo',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.rules[0].expression = r.rules[0].expression.replace('cf.tls_client_auth.cert_verified', 'cf.tls_client_auth.cert_verifed');
      return { rule: 'CF-WAF-EXPRESSION', stack: 'dev-edge', resource, attribute: 'rules[0].expression', message: /field "cf\.tls_client_auth\.cert_verifed" is not allowed/ };
    },
  },
  {
    name: 'WAF expression missing "not"',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'prod-edge', 'cloudflare_ruleset');
      r.rules[0].expression = r.rules[0].expression.replace('not cf.tls_client_auth.cert_verified', 'cf.tls_client_auth.cert_verified');
      return { rule: 'CF-WAF-EXPRESSION', stack: 'prod-edge', resource, attribute: 'rules[0].expression', message: /WITH a valid certificate are blocked/ };
    },
  },
  {
    name: 'WAF expression with an unbalanced parenthesis',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.rules[0].expression = `(${r.rules[0].expression}`;
      return { rule: 'CF-WAF-EXPRESSION', stack: 'dev-edge', resource, attribute: 'rules[0].expression', message: /unbalanced "\(" opened at 0/ };
    },
  },
  {
    name: 'ruleset of the wrong kind ("custom": valid enum, never executed)',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.kind = 'custom';
      return { rule: 'CF-RULESET-KIND-PHASE', stack: 'dev-edge', resource, attribute: 'kind', message: /never executed/ };
    },
  },
  {
    name: 'the mTLS block rule in the managed-rules phase',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'prod-edge', 'cloudflare_ruleset');
      r.phase = 'http_request_firewall_managed';
      return { rule: 'CF-RULESET-KIND-PHASE', stack: 'prod-edge', resource, attribute: 'phase', message: /belongs in http_request_firewall_custom/ };
    },
  },
  {
    name: 'a rule action the provider takes but the custom-rules phase does not ("rewrite")',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, r] = first(w, 'dev-edge', 'cloudflare_ruleset');
      r.rules[0].action = 'rewrite';
      return { rule: 'CF-RULESET-KIND-PHASE', stack: 'dev-edge', resource, attribute: 'rules[0].action', message: /API refuses in phase http_request_firewall_custom/ };
    },
  },
  // ---- semantics: Authenticated Origin Pulls per hostname
  {
    name: 'AOP entry pointing at a certificate uploaded to another zone',
    kind: 'semantic',
    mutate: (w) => {
      // A second upload, in the same stack as the switch this time (a mistake of its own), to another zone.
      const edge = w.stacks.get('dev-edge');
      const [, upload] = first(w, 'dev-pki', 'cloudflare_authenticated_origin_pulls_hostname_certificate');
      edge.resource.cloudflare_authenticated_origin_pulls_hostname_certificate = { OtherZone: { ...clone(upload), zone_id: '00112233445566778899aabbccddeeff' } };
      const [resource, aop] = first(w, 'dev-edge', 'cloudflare_authenticated_origin_pulls');
      aop.config[0].cert_id = '${cloudflare_authenticated_origin_pulls_hostname_certificate.OtherZone.id}';
      return { rule: 'CF-AOP-HOSTNAME-ENTRY', stack: 'dev-edge', resource, attribute: 'config[0].cert_id', message: /uploaded to zone 00112233445566778899aabbccddeeff, not this zone/ };
    },
  },
  {
    name: 'AOP resource with two config entries',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, aop] = first(w, 'prod-edge', 'cloudflare_authenticated_origin_pulls');
      aop.config = [aop.config[0], { ...aop.config[0], hostname: 'other.example.org' }];
      return { rule: 'CF-AOP-HOSTNAME-ENTRY', stack: 'prod-edge', resource, attribute: 'config', message: /has 2 entries/ };
    },
  },
  {
    name: 'AOP entry without a hostname',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, aop] = first(w, 'dev-edge', 'cloudflare_authenticated_origin_pulls');
      delete aop.config[0].hostname;
      return { rule: 'CF-AOP-HOSTNAME-ENTRY', stack: 'dev-edge', resource, attribute: 'config[0].hostname', message: /no hostname/ };
    },
  },
  {
    name: 'AOP entry with enabled = false',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, aop] = first(w, 'staging-edge', 'cloudflare_authenticated_origin_pulls');
      aop.config[0].enabled = false;
      return { rule: 'CF-AOP-HOSTNAME-ENTRY', stack: 'staging-edge', resource, attribute: 'config[0].enabled', message: /origin refuses every request/ };
    },
  },
  {
    name: 'AOP entry whose certificate, moved to the custody stack and read through SSM, belongs to another zone',
    kind: 'semantic',
    mutate: (w) => {
      const [resource] = custodyAop(w, 'dev', '00112233445566778899aabbccddeeff');
      return { rule: 'CF-AOP-HOSTNAME-ENTRY', stack: 'dev-edge', resource, attribute: 'config[0].cert_id', message: /in dev-pki, uploaded to zone 00112233445566778899aabbccddeeff/ };
    },
  },
  // ---- semantics: replacement and ownership
  {
    name: 'API Shield CA upload without create_before_destroy',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, m] = first(w, 'dev-edge', 'cloudflare_mtls_certificate');
      delete m.lifecycle;
      return { rule: 'CF-CERT-CREATE-BEFORE-DESTROY', stack: 'dev-edge', resource, attribute: 'lifecycle.create_before_destroy', message: /delete the old upload first/ };
    },
  },
  {
    name: 'origin-pull hostname certificate upload without create_before_destroy',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, m] = first(w, 'prod-pki', 'cloudflare_authenticated_origin_pulls_hostname_certificate');
      m.lifecycle = { create_before_destroy: false };
      return { rule: 'CF-CERT-CREATE-BEFORE-DESTROY', stack: 'prod-pki', resource, attribute: 'lifecycle.create_before_destroy', message: /is not true/ };
    },
  },
  {
    name: "two owners of one hostname's AOP setting, in two stacks",
    kind: 'semantic',
    mutate: (w) => {
      const [, aop] = first(w, 'dev-edge', 'cloudflare_authenticated_origin_pulls');
      const origin = w.stacks.get('dev-origin');
      origin.resource = { ...origin.resource, cloudflare_authenticated_origin_pulls: { SecondOwner: clone(aop) } };
      return { rule: 'CF-SINGLETON-OWNER', stack: 'dev-origin', resource: 'cloudflare_authenticated_origin_pulls.SecondOwner', attribute: 'config', message: /api\.dev\.example\.com, also managed by dev-edge/ };
    },
  },
  {
    name: 'two owners of one zone setting',
    kind: 'semantic',
    mutate: (w) => {
      const edge = w.stacks.get('prod-edge');
      const [, ssl] = Object.entries<Json>(edge.resource.cloudflare_zone_setting).find(([, s]) => s.setting_id === 'ssl')!;
      edge.resource.cloudflare_zone_setting.SslAgain = clone(ssl);
      return { rule: 'CF-SINGLETON-OWNER', stack: 'prod-edge', resource: 'cloudflare_zone_setting.SslAgain', attribute: 'setting_id', message: /zone setting .* \/ ssl, also managed by prod-edge/ };
    },
  },
  {
    name: 'ssl "full": the provider takes it (dynamic value), the origin certificate is not verified',
    kind: 'semantic',
    mutate: (w) => sslSetTo(w, 'dev-edge', 'full', /without verifying its certificate/),
  },
  {
    name: 'ssl "full_strict": the provider takes it, the API does not mean it',
    kind: 'semantic',
    mutate: (w) => sslSetTo(w, 'staging-edge', 'full_strict', /API refuses at apply/),
  },
  {
    name: 'API Shield bundle listing the root before its intermediate (#7158)',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, m] = first(w, 'dev-edge', 'cloudflare_mtls_certificate');
      const parts = /^\$\{join\("", \[(format\([^)]*\)\)), (format\([^)]*\)\))\]\)\}$/.exec(m.certificates);
      if (!parts) throw new Error(`unexpected bundle expression ${m.certificates}`);
      m.certificates = `\${join("", [${parts[2]}, ${parts[1]}])}`;
      return { rule: 'CF-APISHIELD-CA-ORDER', stack: 'dev-edge', resource, attribute: 'certificates', message: /lists the root .* before the CA it issued .*#7158/ };
    },
  },
  {
    name: 'a bring-your-own (literal PEM) API Shield bundle listing a CA before the certificate it issued (#7158)',
    kind: 'semantic',
    mutate: (w) => {
      const [resource, m] = first(w, 'dev-edge', 'cloudflare_mtls_certificate');
      m.certificates = `${testPki().caPem.trim()}\n${testPki().originPullPem.trim()}\n`;
      return { rule: 'CF-APISHIELD-CA-ORDER', stack: 'dev-edge', resource, attribute: 'certificates', message: /Example Edge Test Client CA before the CA it issued/ };
    },
  },
  // ---- ordering
  {
    name: 'the account stack without a dependency on an edge stack that uploads its Access CA',
    kind: 'ordering',
    mutate: (w) => {
      w.dependencies.set(ACCOUNT, (w.dependencies.get(ACCOUNT) ?? []).filter((d) => d !== 'prod-edge'));
      const [resource] = first(w, ACCOUNT, 'cloudflare_zero_trust_access_mtls_hostname_settings');
      return { rule: 'ORDER-ACCOUNT-AFTER-EDGE', stack: ACCOUNT, resource, attribute: 'settings', message: /does not depend on prod-edge/ };
    },
  },
  {
    name: 'a block rule in another stack than its association, without a stack dependency',
    kind: 'ordering',
    mutate: (w) => {
      const edge = w.stacks.get('dev-edge');
      const origin = w.stacks.get('dev-origin');
      const [address, rs] = first(w, 'dev-edge', 'cloudflare_ruleset');
      const name = address.split('.')[1];
      delete edge.resource.cloudflare_ruleset;
      delete rs.depends_on;
      origin.resource = { ...origin.resource, cloudflare_ruleset: { [name]: rs } };
      return { rule: 'CF-BLOCK-AFTER-ASSOC', stack: 'dev-origin', resource: address, attribute: 'depends_on', message: /does not wait for stack dev-edge/ };
    },
  },
];

let pki: TestPki | undefined;
/** A real CA and a certificate it issued (openssl), made once. */
function testPki(): TestPki {
  const missing = opensslUnavailableReason();
  if (missing) throw new Error(`the literal-PEM mutation needs openssl: ${missing}`);
  pki ??= generateTestPki();
  return pki;
}

function sslSetTo(w: World, stack: string, value: string, message: RegExp) {
  const table = w.stacks.get(stack).resource.cloudflare_zone_setting;
  const [name, ssl] = Object.entries<Json>(table).find(([, s]) => s.setting_id === 'ssl')!;
  ssl.value = value;
  return { rule: 'CF-ZONE-SSL-STRICT', stack, resource: `cloudflare_zone_setting.${name}`, attribute: 'value', message };
}

/**
 * The custody layout: the AOP hostname certificate uploaded by `<env>-pki`, its id
 * published there as an SSM String parameter and read in `<env>-edge` through
 * `data.aws_ssm_parameter`. Optionally moves the upload to another zone. Returns the
 * address of the edge's first per-hostname AOP resource.
 */
function custodyAop(w: World, env: string, uploadZone?: string): [string] {
  const [, upload] = first(w, `${env}-pki`, 'cloudflare_authenticated_origin_pulls_hostname_certificate');
  if (uploadZone) upload.zone_id = uploadZone;
  const [address] = first(w, `${env}-edge`, 'cloudflare_authenticated_origin_pulls');
  return [address];
}

const findingsOf = (w: World): ConformanceLine[] => [...checkConformance({ stacks: w.stacks, dependencies: w.dependencies }).findings];

describe('the unmutated stacks', () => {
  it('have no finding in any environment (the baseline every mutation is measured against)', () => {
    expect(findingsOf(fresh())).toEqual([]);
  });

  it('accept the custody layout: an AOP certificate uploaded by <env>-pki and read through SSM, same zone', () => {
    const w = fresh();
    custodyAop(w, 'dev');
    const report = checkConformance({ stacks: w.stacks, dependencies: w.dependencies });
    expect(report.findings).toEqual([]);
    expect(report.skipped).toEqual([]);
  });

  it('say why they skip the same-zone check when the id is not traceable in the JSON', () => {
    const w = fresh();
    const published = w.stacks.get('dev-pki').resource.aws_ssm_parameter;
    for (const [name, p] of Object.entries<Json>(published)) if (String(p.name).endsWith('/origin-pull-certificate-id')) delete published[name];
    const report = checkConformance({ stacks: w.stacks, dependencies: w.dependencies });
    expect(report.findings).toEqual([]);
    expect(report.skipped).toEqual([
      expect.objectContaining({ rule: 'CF-AOP-HOSTNAME-ENTRY', stack: 'dev-edge', reason: expect.stringMatching(/same-zone check skipped: SSM parameter \/edge-mtls\/dev\/public\/origin-pull-certificate-id is written by 0 synthesized resources/) }),
    ]);
  });
});

describe('the mutation suite: every mutation is caught and named by rule, stack, resource and attribute', () => {
  it('has at least 30 mutations, over validators, semantics, ordering and versions, and one or more for every rule', () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MUTATIONS.map((m) => m.kind))).toEqual(new Set(['validator', 'semantic', 'ordering', 'version']));
    const rules = new Set(MUTATIONS.map((m) => m.mutate(fresh()).rule));
    expect([...rules].sort()).toEqual([...Object.keys(SEMANTIC_RULES), 'PROVIDER-SENSITIVE-OUTPUT', 'PROVIDER-VALIDATOR', 'PROVIDER-VERSION'].sort());
  });

  it('accepts a literal-PEM bundle in the order #7158 needs (the issued certificate first)', () => {
    const w = fresh();
    const [, m] = first(w, 'dev-edge', 'cloudflare_mtls_certificate');
    m.certificates = `${testPki().originPullPem.trim()}\n${testPki().caPem.trim()}\n`;
    expect(findingsOf(w).filter((f) => f.rule === 'CF-APISHIELD-CA-ORDER')).toEqual([]);
  });

  it.each(MUTATIONS.map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const w = fresh();
    const expected = m.mutate(w);
    const findings = findingsOf(w);
    const { message, ...where } = expected;
    const match = findings.find((f) => f.rule === where.rule && f.stack === where.stack && f.resource === where.resource && f.attribute === where.attribute);
    expect({ found: match ?? null, all: findings }).toEqual({ found: expect.objectContaining(where), all: expect.any(Array) });
    if (message) expect(match!.message).toMatch(message);
  });
});
