import type { Environment } from '../../../envs/schema';
import { blocks, PolicyStack, Rule, TfResource, Violation } from '../engine';
import { formatValue } from '../../tf-json/format';

const ZONE_SETTING = 'cloudflare_zone_setting';

/** Edge rules only judge the edge stack; other stacks carry no Cloudflare zone. */
const isEdge = (stack: PolicyStack) => stack.concern === 'edge';

function zoneSetting(stack: PolicyStack, id: string) {
  return stack.ofType(ZONE_SETTING).find((s) => s.body.setting_id === id);
}

export const cloudflareSslStrict: Rule = {
  id: 'CF-SSL-STRICT',
  description: 'The edge zone uses SSL mode "strict" (origin certificate validated) and a minimum TLS version of 1.2.',
  fix: 'Use ZoneBaseline (modules/edge/zone-baseline.ts), which sets SSL strict and minimum TLS 1.2; `edge.minTlsVersion` in envs/<env>.yaml may raise it to 1.3.',
  resourceTypes: [ZONE_SETTING],
  check(setting) {
    const { setting_id: id, value } = setting.body;
    if (id === 'ssl' && value !== 'strict') return [`ssl is ${formatValue(value)}; expected "strict" (anything weaker lets a forged origin certificate through)`];
    if (id === 'min_tls_version' && value !== '1.2' && value !== '1.3') return [`min_tls_version is ${formatValue(value)}; expected "1.2" or "1.3"`];
    return [];
  },
  require(stack) {
    if (!isEdge(stack)) return [];
    return ['ssl', 'min_tls_version']
      .filter((id) => !zoneSetting(stack, id))
      .map((id) => ({ address: `missing:${ZONE_SETTING}:${id}`, message: `no ${ZONE_SETTING} with setting_id "${id}": the zone keeps Cloudflare's default` }));
  },
};

export const cloudflareAopOwnCertificate: Rule = {
  id: 'CF-AOP-OWN-CERT',
  description:
    "Authenticated Origin Pulls are on and present our own CA's client certificate, never Cloudflare's shared one (its CA is shared by every Cloudflare customer, so trusting it admits anyone's zone).",
  fix: 'Upload the PKI\'s origin-pull certificate with OriginPullCertificate (modules/edge/origin-pull-certificate.ts) in the custody stack and switch it on with AuthenticatedOriginPulls (modules/edge/origin-pulls.ts) in the edge stack; a bring-your-own certificate goes in `pki` of envs/<env>.yaml.',
  resourceTypes: ['cloudflare_authenticated_origin_pulls_settings', 'cloudflare_authenticated_origin_pulls'],
  check(resource) {
    if (resource.type === 'cloudflare_authenticated_origin_pulls_settings')
      return resource.body.enabled === true ? [] : [`enabled is ${formatValue(resource.body.enabled)}; expected true`];
    return blocks(resource.body.config).flatMap((c, i) =>
      !c.cert_id ? [`config[${i}] (${formatValue(c.hostname)}) has no cert_id: Cloudflare would present its shared certificate`] : c.enabled === false ? [`config[${i}] (${formatValue(c.hostname)}) is disabled`] : [],
    );
  },
  require(stack) {
    // The upload (it sends the private key) is the custody stack's; the switch is the edge's.
    if (stack.concern === 'pki') {
      const uploads = [...stack.ofType('cloudflare_authenticated_origin_pulls_certificate'), ...stack.ofType('cloudflare_authenticated_origin_pulls_hostname_certificate')];
      const problems: Violation[] = uploads.length === 0
        ? [{ address: 'missing:cloudflare_authenticated_origin_pulls_certificate', message: 'no origin-pull certificate upload: the edge would present the CA shared by every Cloudflare customer' }]
        : [];
      for (const c of uploads) {
        if (typeof c.body.private_key !== 'string' || !c.body.private_key.startsWith('${'))
          problems.push({ address: c.address, message: 'private_key is not a reference to a sensitive attribute (tls_private_key or a secret)' });
      }
      return problems;
    }
    if (!isEdge(stack)) return [];
    const perHostname = stack.ofType('cloudflare_authenticated_origin_pulls').length > 0;
    if (perHostname) return [];
    if (stack.ofType('cloudflare_authenticated_origin_pulls_settings').length === 0)
      return [{ address: 'missing:cloudflare_authenticated_origin_pulls_settings', message: 'no cloudflare_authenticated_origin_pulls_settings: zone-level origin pulls stay off' }];
    return [];
  },
};

/** Hostnames whose env entry turns API Shield on (`apiShield: {...}`). */
export function apiShieldHostnames(env: Environment): string[] {
  return env.hostnames.filter((h) => h.apiShield !== undefined).map((h) => h.name);
}

const CERT_NOT_VERIFIED = /not\s+cf\.tls_client_auth\.cert_verified/;

/**
 * Hostnames a custom firewall rule blocks when no verified client certificate was
 * presented; `'*'` when a rule does so without naming hosts (zone-wide).
 */
function blockedHostnames(stack: PolicyStack): Set<string> {
  const hosts = new Set<string>();
  for (const ruleset of stack.ofType('cloudflare_ruleset')) {
    if (ruleset.body.kind !== 'zone' || ruleset.body.phase !== 'http_request_firewall_custom') continue;
    for (const rule of blocks(ruleset.body.rules)) {
      if (rule.action !== 'block' || rule.enabled === false || typeof rule.expression !== 'string') continue;
      if (!CERT_NOT_VERIFIED.test(rule.expression)) continue;
      if (!/http\.host/.test(rule.expression)) hosts.add('*');
      for (const m of rule.expression.matchAll(/"([a-z0-9.-]+)"/g)) hosts.add(m[1]);
    }
  }
  return hosts;
}

export const cloudflareApiShieldBlock: Rule = {
  id: 'CF-API-SHIELD-BLOCK',
  description: 'Every API Shield hostname has an enabled WAF custom rule that blocks requests without a verified client certificate.',
  fix: 'Give the hostname `apiShield: {}` (optionally `pathPrefixes`) under `hostnames[]` in envs/<env>.yaml; ApiShieldMtls (modules/edge/api-shield.ts) writes its block rule.',
  resourceTypes: [],
  require(stack) {
    if (!isEdge(stack) || !stack.env) return [];
    const blocked = blockedHostnames(stack);
    return apiShieldHostnames(stack.env)
      .filter((h) => !blocked.has(h) && !blocked.has('*'))
      .map((h) => ({ address: `missing:cloudflare_ruleset:${h}`, message: `"${h}" has no block rule for "not cf.tls_client_auth.cert_verified": requests without a certificate get through` }));
  },
};

const CERTIFICATE_SELECTORS = ['certificate', 'common_name'];
/** Machine credentials a Service Auth policy may admit: a certificate, or a service token as the documented alternative. */
const NON_IDENTITY_SELECTORS = [...CERTIFICATE_SELECTORS, 'service_token'];

const requiresCertificate = (policy: TfResource) => blocks(policy.body.include).some((i) => CERTIFICATE_SELECTORS.some((s) => i[s] !== undefined));

export const cloudflareAccessNonIdentity: Rule = {
  id: 'CF-ACCESS-NON-IDENTITY',
  description:
    'Access policies are Service Auth (non_identity) policies that admit a valid certificate, a common name or a named service token, never "everyone"; every Access application has at least one certificate policy.',
  fix: 'Give the hostname `access: {...}` under `hostnames[]` in envs/<env>.yaml; AccessMtls (modules/edge/access-mtls.ts) builds non_identity certificate policies.',
  resourceTypes: ['cloudflare_zero_trust_access_policy', 'cloudflare_zero_trust_access_application'],
  check(resource, stack) {
    if (resource.type === 'cloudflare_zero_trust_access_application') {
      const attached = blocks(resource.body.policies)
        .map((p) => stack.resolve(p.id))
        .filter((p): p is TfResource => p !== undefined);
      return attached.some(requiresCertificate) ? [] : ['no attached policy requires a client certificate or common name'];
    }
    const problems: string[] = [];
    if (resource.body.decision !== 'non_identity') problems.push(`decision is ${formatValue(resource.body.decision)}; expected "non_identity" (Service Auth)`);
    const include = blocks(resource.body.include);
    if (include.some((i) => i.everyone !== undefined)) problems.push('include contains "everyone"');
    if (!include.some((i) => NON_IDENTITY_SELECTORS.some((s) => i[s] !== undefined)))
      problems.push('include has no certificate, common_name or service_token selector, so it does not authenticate a machine');
    return problems;
  },
};


/** Record types Cloudflare can proxy; any of them left unproxied sends clients to the target directly. */
const PROXIABLE = ['A', 'AAAA', 'CNAME'];
const ACM_VALIDATION = (field: 'resource_record_name' | 'resource_record_value') =>
  new RegExp(`^\\$\\{trimsuffix\\(tolist\\(aws_acm_certificate\\.[\\w-]+\\.domain_validation_options\\)\\[\\d+\\]\\.${field}, "\\."\\)\\}$`);

/**
 * An ACM DNS-validation CNAME: name and target both come from the certificate's
 * validation options. ACM resolves it directly, so it must stay unproxied; it points at
 * ACM's validation host, never at the origin.
 */
export function isAcmValidationRecord(record: TfResource): boolean {
  const { type, name, content } = record.body;
  return type === 'CNAME' && ACM_VALIDATION('resource_record_name').test(String(name)) && ACM_VALIDATION('resource_record_value').test(String(content));
}

export const cloudflareDnsProxied: Rule = {
  id: 'CF-DNS-PROXIED',
  description: 'Every A, AAAA and CNAME record the stacks create is proxied through the edge, except ACM DNS-validation CNAMEs (which point at ACM, not at the origin).',
  fix: 'Records for the origin are built by ZoneBaseline (modules/edge/zone-baseline.ts) for each `hostnames[]` entry of envs/<env>.yaml and are always proxied; remove the hand-made record, or list its hostname there.',
  resourceTypes: ['cloudflare_dns_record'],
  check(record) {
    if (!PROXIABLE.includes(record.body.type) || record.body.proxied === true || isAcmValidationRecord(record)) return [];
    return [`${formatValue(record.body.type)} record ${formatValue(record.body.name)} has proxied ${formatValue(record.body.proxied)}: clients resolve the target directly and skip every edge check`];
  },
};

export const cloudflareRules: readonly Rule[] = [cloudflareSslStrict, cloudflareDnsProxied, cloudflareAopOwnCertificate, cloudflareApiShieldBlock, cloudflareAccessNonIdentity];
