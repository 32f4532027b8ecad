import { checkStack, type StackLike } from '../../../conformance/conform';
import { readSnapshot } from '../../../conformance/regenerate';
import { PROVIDER_SOURCES } from '../../../conformance/sources';
import { synthStacks, type StackJson } from '../../support/synth';

/**
 * Every Cloudflare and tls resource of every committed environment, checked against the
 * schema those providers declare at the pinned versions (the committed snapshots), plus
 * the mistakes the check exists to catch, each made on purpose.
 */
const snapshots = PROVIDER_SOURCES.map((s) => readSnapshot(s.provider, s.version));
const stacks = synthStacks();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const edge = (): StackJson & StackLike => clone(stacks.get('dev-edge')!) as StackJson & StackLike;

describe('provider conformance', () => {
  it('covers the Cloudflare and tls resources of every environment', () => {
    const used = new Set<string>();
    for (const json of stacks.values()) {
      for (const kind of ['resource', 'data'] as const) for (const t of Object.keys((json as StackLike)[kind] ?? {})) if (/^(cloudflare|tls)_/.test(t)) used.add(t);
    }
    // The check below is only meaningful if it saw the resources this project is about.
    for (const t of ['cloudflare_authenticated_origin_pulls', 'cloudflare_authenticated_origin_pulls_hostname_certificate', 'cloudflare_certificate_authorities_hostname_associations', 'cloudflare_mtls_certificate', 'cloudflare_ruleset', 'tls_self_signed_cert']) {
      expect(used).toContain(t);
    }
    expect(stacks.size).toBeGreaterThanOrEqual(12);
  });

  it.each([...stacks.keys()])('%s conforms to the pinned provider schemas', (name) => {
    expect(checkStack(name, stacks.get(name) as StackLike, snapshots)).toEqual([]);
  });
});

describe('conformance mutations: each mistake fails naming stack, resource and attribute', () => {
  const problemsOf = (mutate: (j: any) => void): string[] => {
    const j = edge();
    mutate(j);
    return checkStack('dev-edge', j, snapshots);
  };
  const first = (type: string, j: any): [string, any] => Object.entries(j.resource[type])[0] as [string, any];

  it('a misspelt attribute', () => {
    let name = '';
    const problems = problemsOf((j) => {
      const [n, r] = first('cloudflare_dns_record', j);
      name = n;
      r.proxid = r.proxied;
      delete r.proxied;
    });
    expect(problems).toEqual([`dev-edge: cloudflare_dns_record.${name}: attribute "proxid" is not in the provider schema (did you mean "proxied"?)`]);
  });

  it('a list where one object is required', () => {
    let name = '';
    const problems = problemsOf((j) => {
      const [n, r] = first('cloudflare_notification_policy', j);
      name = n;
      r.mechanisms = [r.mechanisms];
    });
    expect(problems).toEqual([`dev-edge: cloudflare_notification_policy.${name}: attribute "mechanisms" expects one object ({...}), got a list`]);
  });

  it('one object where a list of objects is required', () => {
    const problems = problemsOf((j) => {
      const [, r] = first('cloudflare_authenticated_origin_pulls', j);
      r.config = r.config[0];
    });
    expect(problems).toEqual([expect.stringMatching(/^dev-edge: cloudflare_authenticated_origin_pulls\.\S+: attribute "config" expects a list of objects \(\[\{\.\.\.\}\]\), got an object$/)]);
  });

  it('an invalid enum value, top level and nested', () => {
    let name = '';
    const problems = problemsOf((j) => {
      const [n, r] = first('cloudflare_ruleset', j);
      name = n;
      r.phase = 'http_request_firewall_customs';
      r.rules[0].action = 'deny';
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(new RegExp(`^dev-edge: cloudflare_ruleset\\.${name}: attribute "phase" has "http_request_firewall_customs", which is not one of: .*http_request_firewall_custom,`));
    expect(problems[1]).toMatch(new RegExp(`^dev-edge: cloudflare_ruleset\\.${name}: attribute "rules\\[0\\]\\.action" has "deny", which is not one of: .*block`));
  });

  it('a missing required attribute', () => {
    let name = '';
    const problems = problemsOf((j) => {
      const [n, r] = first('cloudflare_certificate_authorities_hostname_associations', j);
      name = n;
      delete r.zone_id;
    });
    expect(problems).toEqual([`dev-edge: cloudflare_certificate_authorities_hostname_associations.${name}: attribute "zone_id" is required but missing`]);
  });

  it('a computed-only attribute set by hand (5.14 allowed a per-hostname AOP "hostname", 5.22 computes it)', () => {
    const problems = problemsOf((j) => {
      const [, r] = first('cloudflare_authenticated_origin_pulls', j);
      r.hostname = r.config[0].hostname;
    });
    expect(problems).toEqual([expect.stringMatching(/cloudflare_authenticated_origin_pulls\.\S+: attribute "hostname" is computed by the provider and cannot be set$/)]);
  });

  it('two attributes of an exactly-one-of group', () => {
    const problems = problemsOf((j) => {
      const [, r] = first('cloudflare_ruleset', j);
      r.account_id = '0123456789abcdef0123456789abcdef';
    });
    expect(problems.join('\n')).toMatch(/cloudflare_ruleset\.\S+: attribute "account_id" must be set exactly once among "account_id", "zone_id" \(found 2\)/);
  });

  it('a resource type the snapshot does not know, and a provider pin it was not taken from', () => {
    const problems = problemsOf((j) => {
      j.resource.cloudflare_mtls_certificate_assocations = { typo: { zone_id: 'z' } };
      j.terraform.required_providers.cloudflare.version = '5.14.0';
    });
    expect(problems).toContain('dev-edge: pins cloudflare "5.14.0", but the conformance snapshot is of 5.22.0');
    expect(problems).toContain('dev-edge: cloudflare_mtls_certificate_assocations.typo: cloudflare_mtls_certificate_assocations is not in the cloudflare 5.22.0 snapshot (add it to conformance/sources.ts and run npm run provider-schemas)');
  });

  it('tls: an algorithm the provider does not offer', () => {
    const pki = clone(stacks.get('dev-pki')!) as any;
    const [keyName, key] = Object.entries(pki.resource.tls_private_key)[0] as [string, any];
    key.algorithm = 'DSA';
    const problems = checkStack('dev-pki', pki, snapshots);
    expect(problems).toEqual([`dev-pki: tls_private_key.${keyName}: attribute "algorithm" has "DSA", which is not one of: RSA, ECDSA, ED25519`]);
  });
});
