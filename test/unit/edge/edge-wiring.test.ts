import { readdirSync, readFileSync } from 'node:fs';
import { listEnvironments } from '../../../envs/load';
import { fromRoot } from '../../../lib/paths';
import { CLOUDFLARE_PROVIDER } from '../../../lib/providers';
import { onlyResource, resourcesOf, synthStacks } from '../../support/synth';

// The app as `npm run synth` builds it: the edge stack is fed by the PKI stack
// (certificates) and the origin stack (API Gateway regional names).
describe('the edge stack in the app', () => {
  const stacks = synthStacks();

  it.each(listEnvironments())('%s has an edge stack that only uses the Cloudflare provider', (env) => {
    const edge = stacks.get(`${env}-edge`)!;
    expect(edge).toBeDefined();
    expect(Object.keys(edge.provider)).toEqual(['cloudflare']);
    expect(Object.keys(edge.terraform.required_providers)).toEqual(['cloudflare']);
    expect(edge.terraform.required_providers.cloudflare.version).toBe(CLOUDFLARE_PROVIDER.version);
  });

  it.each(listEnvironments())('%s: the private key reaches the edge only as a reference, and no PEM or key text is in any stack', (env) => {
    const key = onlyResource(stacks.get(`${env}-edge`)!, 'cloudflare_authenticated_origin_pulls_hostname_certificate').private_key;
    expect(key).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
    for (const [name, json] of stacks) {
      if (!name.startsWith(`${env}-`)) continue;
      // A PEM block is armour followed by base64; the armour alone also appears in
      // validation expressions (the keyless stack's SSM precondition counts certificates).
      expect({ name, pem: /-----BEGIN [A-Z ]+-----(\\n|\n)[A-Za-z0-9+/=]{40}/.test(JSON.stringify(json)) }).toEqual({ name, pem: false });
    }
  });

  it.each(listEnvironments())('%s: origin pulls present the PKI stack\'s certificate and the CNAMEs point at the origin stack\'s domains', (env) => {
    const edge = stacks.get(`${env}-edge`)!;
    const remote = (name: string) =>
      Object.entries<any>(edge.data.terraform_remote_state).find(([, r]) => (r.config.key ?? r.config.path).endsWith(`${env}-${name}.tfstate`))![0];
    const aop = onlyResource(edge, 'cloudflare_authenticated_origin_pulls_hostname_certificate');
    expect(aop.certificate).toContain(`data.terraform_remote_state.${remote('pki')}.outputs.`);
    expect(aop.private_key).toContain(`data.terraform_remote_state.${remote('pki')}.outputs.`);
    const cnames = Object.values<any>(resourcesOf(edge, 'cloudflare_dns_record')).filter((r) => r.type === 'CNAME' && r.proxied === true);
    expect(cnames.length).toBeGreaterThan(0);
    for (const record of cnames) expect(record.content).toContain(`data.terraform_remote_state.${remote('origin')}.outputs.`);
  });

  it('every per-hostname origin-pull switch uses a certificate uploaded by the same stack, never a managed or zone-level one', () => {
    let seen = 0;
    for (const [name, json] of stacks) {
      const uploads = Object.keys(resourcesOf(json, 'cloudflare_authenticated_origin_pulls_hostname_certificate'));
      for (const a of Object.values<any>(resourcesOf(json, 'cloudflare_authenticated_origin_pulls'))) {
        seen++;
        expect({ name, certs: a.config.map((c: any) => uploads.some((u) => c.cert_id === `\${cloudflare_authenticated_origin_pulls_hostname_certificate.${u}.id}`)) }).toEqual({ name, certs: [true] });
      }
      for (const settings of Object.values<any>(resourcesOf(json, 'cloudflare_authenticated_origin_pulls_settings'))) {
        expect(settings.depends_on?.some((d: string) => d.startsWith('cloudflare_authenticated_origin_pulls_certificate.'))).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('the edge source', () => {
  // No Terraform escape hatches: every Cloudflare attribute goes through the provider's typed classes.
  it('never overrides the typed Cloudflare resources', () => {
    const files = [
      ...readdirSync(fromRoot('modules', 'edge')).map((f) => fromRoot('modules', 'edge', f)),
      ...['cloudflare', 'tls'].flatMap((d) => readdirSync(fromRoot('providers', d)).map((f) => fromRoot('providers', d, f))),
      fromRoot('modules', 'pki', 'certificate-authority.ts'),
      fromRoot('stacks', 'edge-stack.ts'),
    ];
    expect(files.length).toBeGreaterThan(5);
    const hatches = files.filter((f) => /\.(addOverride|overrideLogicalId|resetOverrideLogicalId)\(|rawOverrides/.test(readFileSync(f, 'utf8')));
    expect(hatches).toEqual([]);
  });
});
