import { App, TerraformStack } from 'cdktf';
import { listEnvironments } from '../../../envs/load';
import { ConfigError } from '../../../lib/errors';
import { ZoneFirewall } from '../../../modules/edge/zone-firewall';
import { AccessHostnameSettings } from '../../../modules/edge/access-hostname-settings';
import { singletonConflicts } from '../../../stacks/singletons';
import { baseEnvironment, envDir, withField } from '../../support/env-files';
import { resourcesOf, synthStacks, type StackJson } from '../../support/synth';

/**
 * Objects Cloudflare keeps once per account or zone (a list every write replaces)
 * have exactly one owner: the account stack for account-wide lists, one ZoneFirewall
 * per zone for the custom WAF ruleset; two owners fail synthesis naming both.
 */
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const stacks = synthStacks();
const typeOwners = (type: string) => [...stacks].filter(([, j]) => Object.keys(resourcesOf(j, type)).length > 0).map(([n]) => n);

describe('account-wide objects: one stack per Cloudflare account', () => {
  it('each account of the committed environments has its Access hostname settings as one list in one stack', () => {
    const withAccess = new Set(listEnvironments().map(baseEnvironment).filter((e) => e.hostnames.some((h: any) => h.access)).map((e) => e.cloudflare.accountId));
    expect(withAccess).toContain(ACCOUNT);
    expect(typeOwners('cloudflare_zero_trust_access_mtls_hostname_settings').sort()).toEqual([...withAccess].map((a) => `cloudflare-account-${a}`).sort());
  });

  it('the list aggregates every Access hostname of every environment in the account, forwarding on', () => {
    const inAccount = listEnvironments().map(baseEnvironment).filter((e) => e.cloudflare.accountId === ACCOUNT);
    const expected = inAccount.flatMap((e) => e.hostnames.filter((h: any) => h.access).map((h: any) => h.name)).sort();
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const [settings] = Object.values<any>(resourcesOf(stacks.get(`cloudflare-account-${ACCOUNT}`)!, 'cloudflare_zero_trust_access_mtls_hostname_settings'));
    expect(settings.account_id).toBe(ACCOUNT);
    expect(settings.settings.map((s: any) => s.hostname)).toEqual(expected);
    for (const s of settings.settings) expect(s).toMatchObject({ client_certificate_forwarding: true, china_network: false });
  });

  it('selecting one environment still writes the whole account list (its plan cannot erase the others)', () => {
    const one = synthStacks('dev');
    const [settings] = Object.values<any>(resourcesOf(one.get(`cloudflare-account-${ACCOUNT}`)!, 'cloudflare_zero_trust_access_mtls_hostname_settings'));
    const [all] = Object.values<any>(resourcesOf(stacks.get(`cloudflare-account-${ACCOUNT}`)!, 'cloudflare_zero_trust_access_mtls_hostname_settings'));
    expect(settings.settings).toEqual(all.settings);
  });

  it('a shared account needs exactly one owner of its stack, named in one line per file', () => {
    const dev = baseEnvironment('dev');
    const prod = baseEnvironment('prod');
    const none = envDir({ dev, prod: withField(prod, 'cloudflare.ownsAccountStack', false) });
    expect(() => synthStacks(undefined, none)).toThrow(ConfigError);
    expect(() => synthStacks(undefined, none)).toThrow(/dev\.yaml: cloudflare\.ownsAccountStack: Cloudflare account 0123456789abcdef0123456789abcdef is shared by .*dev\.yaml, .*prod\.yaml; set it to true in exactly one of them/);
    const two = envDir({ dev: withField(dev, 'cloudflare.ownsAccountStack', true), prod });
    expect(() => synthStacks(undefined, two)).toThrow(/dev\.yaml: cloudflare\.ownsAccountStack: also set by .*prod\.yaml; exactly one environment/);
  });
});

describe('zone-wide objects: one ZoneFirewall per zone', () => {
  const zone = (j: StackJson) => Object.values<any>(resourcesOf(j, 'cloudflare_ruleset'));

  it('every zone has at most one custom-rules entry point, owned by its edge stack', () => {
    const seen = new Map<string, string>();
    for (const [name, j] of stacks) {
      for (const r of zone(j)) {
        const key = `${r.zone_id}/${r.phase}`;
        expect({ key, owner: seen.get(key) }).toEqual({ key, owner: undefined });
        seen.set(key, name);
        expect(r['//'].metadata.path).toBe(`${name}/Firewall/CustomRules`);
      }
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  it('rules the env file keeps follow the mTLS block rules, so a kept skip cannot bypass them', () => {
    const keep = { ref: 'allow_monitoring', description: 'existing: monitoring skips WAF', expression: '(ip.src eq 192.0.2.10)', action: 'skip' };
    const dir = envDir({ dev: withField(baseEnvironment('dev'), 'edge.firewall', { keepRules: [keep] }) });
    const [ruleset] = zone(synthStacks(undefined, dir).get('dev-edge')!);
    expect(ruleset.rules.map((r: any) => r.ref)).toEqual(['mtls_api_dev_example_com', 'allow_monitoring']);
    expect(ruleset.rules[1]).toEqual({ ...keep, enabled: true });
  });

  it('a zone with nothing to add or keep is left alone (no ruleset that would empty it)', () => {
    const dir = envDir({ dev: withField(baseEnvironment('dev'), 'hostnames[0].apiShield', undefined) });
    expect(zone(synthStacks(undefined, dir).get('dev-edge')!)).toEqual([]);
  });

  it('refuses two rules with one ref, naming who added them', () => {
    const fw = new ZoneFirewall(new TerraformStack(new App(), 's'), 'Fw', {
      zoneId: 'z', name: 'n', keepRules: [{ ref: 'a', description: 'd', expression: 'true', action: 'log' }],
    });
    expect(() => fw.addRule('API Shield', { ref: 'a', description: 'd', expression: 'true', action: 'block' })).toThrow(/API Shield adds rule ref "a", which the zone's ruleset already has/);
  });
});

describe('the synth-time singleton check', () => {
  // Env files cannot share a zone (the resolve phase refuses it); the check is the
  // backstop for any stack that would still manage a zone-wide object twice.
  it('fails naming the object and both owners when two stacks would manage one zone', () => {
    const app = new App();
    const [a, b] = ['dev-edge', 'twin-edge'].map((n) => new TerraformStack(app, n));
    for (const stack of [a, b]) {
      const fw = new ZoneFirewall(stack, 'Firewall', { zoneId: 'fedcba9876543210fedcba9876543210', name: 'n' });
      fw.addRule('API Shield', { ref: `r_${stack.node.id}`, description: 'd', expression: 'true', action: 'block' });
    }
    expect(singletonConflicts([a, b])).toEqual([
      'the entry-point ruleset of zone / phase fedcba9876543210fedcba9876543210 http_request_firewall_custom would be managed by 2 owners: dev-edge (Firewall/CustomRules) and twin-edge (Firewall/CustomRules)',
    ]);
  });

  it('sees an account list managed outside the account stack', () => {
    const app = new App();
    const a = new TerraformStack(app, 'a-edge');
    const b = new TerraformStack(app, 'cloudflare-account-x');
    new AccessHostnameSettings(a, 'Mine', { accountId: ACCOUNT, hostnames: ['x.example.com'] });
    new AccessHostnameSettings(b, 'Theirs', { accountId: ACCOUNT, hostnames: ['y.example.com'] });
    expect(singletonConflicts([a, b])).toEqual([
      `the Access mTLS hostname settings of account ${ACCOUNT} would be managed by 2 owners: a-edge (Mine/ForwardClientCertificate) and cloudflare-account-x (Theirs/ForwardClientCertificate)`,
    ]);
  });
});
