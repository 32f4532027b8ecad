import { readdirSync, readFileSync } from 'node:fs';
import { listEnvironments } from '../../../envs/load';
import { fromRoot } from '../../../lib/paths';
import { parseStackName, publicParameterPrefix } from '../../../lib/naming';
import { AWS_PROVIDER, CLOUDFLARE_PROVIDER } from '../../../lib/providers';
import { onlyResource, resourcesOf, synthStacks, type StackJson } from '../../support/synth';

// The app as `npm run synth` builds it: the edge stack is fed by the custody stack
// (`<env>-pki`: the CA certificates and the id of the origin-pull upload, published to
// SSM) and the origin stack (API Gateway regional names, cross-stack references).
describe('the edge stack in the app', () => {
  const stacks = synthStacks();

  /** The SSM parameter `read` (a data.aws_ssm_parameter of `stack`) names, as the custody stack of `env` publishes it. */
  const publishedBy = (env: string, stack: StackJson, readRef: string): any => {
    const read = /^\$\{data\.aws_ssm_parameter\.([^.}]+)\.insecure_value\}$/.exec(readRef);
    expect({ readRef, isSsmRead: read !== null }).toEqual({ readRef, isSsmRead: true });
    const data = stack.data.aws_ssm_parameter[read![1]];
    expect(data.with_decryption).toBe(false);
    const published = Object.values<any>(resourcesOf(stacks.get(`${env}-pki`)!, 'aws_ssm_parameter')).filter((p) => p.name === data.name);
    expect(published).toEqual([expect.objectContaining({ type: 'String' })]);
    return published[0];
  };

  it.each(listEnvironments())('%s has an edge stack that uses the Cloudflare provider, and AWS only to read what the custody stack published', (env) => {
    const edge = stacks.get(`${env}-edge`)!;
    expect(edge).toBeDefined();
    expect(Object.keys(edge.provider).sort()).toEqual(['aws', 'cloudflare']);
    expect(Object.keys(edge.terraform.required_providers).sort()).toEqual(['aws', 'cloudflare']);
    expect(edge.terraform.required_providers.cloudflare.version).toBe(CLOUDFLARE_PROVIDER.version);
    expect(edge.terraform.required_providers.aws.version).toBe(AWS_PROVIDER.version);
    expect(Object.keys(edge.resource).filter((t) => !t.startsWith('cloudflare_'))).toEqual([]);
    expect(Object.keys(edge.data).filter((t) => t.startsWith('aws_'))).toEqual(['aws_ssm_parameter']);
    for (const read of Object.values<any>(edge.data.aws_ssm_parameter)) {
      expect(read).toMatchObject({ name: expect.stringMatching(new RegExp(`^${publicParameterPrefix(env)}/`)), with_decryption: false });
    }
  });

  it.each(listEnvironments())('%s: the private key never reaches the edge: it stays a reference inside the custody stack, and no PEM or key text is in any stack', (env) => {
    const custody = stacks.get(`${env}-pki`)!;
    const upload = onlyResource(custody, 'cloudflare_authenticated_origin_pulls_hostname_certificate');
    expect(upload.private_key).toMatch(/^\$\{tls_private_key\.[^.}]+\.private_key_pem\}$/);
    const edge = stacks.get(`${env}-edge`)!;
    expect(edge.resource.cloudflare_authenticated_origin_pulls_hostname_certificate).toBeUndefined();
    expect(JSON.stringify(edge)).not.toMatch(/private_key|tls_private_key/);
    // Nothing in the edge reads the custody stack's state.
    const remoteStates = Object.values<any>(edge.data.terraform_remote_state ?? {}).map((r) => r.config.key ?? r.config.path);
    expect(remoteStates.filter((k: string) => k.endsWith(`${env}-pki.tfstate`))).toEqual([]);
    for (const [name, json] of stacks) {
      if (!name.startsWith(`${env}-`)) continue;
      // A PEM block is armour followed by base64; the armour alone also appears in
      // validation expressions (the keyless stack's SSM precondition counts certificates).
      expect({ name, pem: /-----BEGIN [A-Z ]+-----(\\n|\n)[A-Za-z0-9+/=]{40}/.test(JSON.stringify(json)) }).toEqual({ name, pem: false });
    }
  });

  it.each(listEnvironments())('%s: origin pulls present the custody stack\'s certificate and the CNAMEs point at the origin stack\'s domains', (env) => {
    const edge = stacks.get(`${env}-edge`)!;
    const custody = stacks.get(`${env}-pki`)!;
    const remote = (name: string) =>
      Object.entries<any>(edge.data.terraform_remote_state).find(([, r]) => (r.config.key ?? r.config.path).endsWith(`${env}-${name}.tfstate`))![0];
    // The upload is the custody stack's: the origin-pull certificate and key of its own PKI.
    const [[uploadName, aop]] = Object.entries<any>(resourcesOf(custody, 'cloudflare_authenticated_origin_pulls_hostname_certificate'));
    const [[leafName]] = Object.entries<any>(resourcesOf(custody, 'tls_locally_signed_cert')).filter(([n]) => n.startsWith('Pki_OriginPullClient'));
    expect(aop.certificate).toBe(`\${tls_locally_signed_cert.${leafName}.cert_pem}`);
    expect(aop.private_key).toMatch(/^\$\{tls_private_key\.Pki_OriginPullClient[^.}]*\.private_key_pem\}$/);
    // The edge switches it on by the id the custody stack publishes.
    const switches = Object.values<any>(resourcesOf(edge, 'cloudflare_authenticated_origin_pulls'));
    expect(switches.length).toBeGreaterThan(0);
    for (const s of switches) expect(publishedBy(env, edge, s.config[0].cert_id).insecure_value).toBe(`\${cloudflare_authenticated_origin_pulls_hostname_certificate.${uploadName}.id}`);
    const cnames = Object.values<any>(resourcesOf(edge, 'cloudflare_dns_record')).filter((r) => r.type === 'CNAME' && r.proxied === true);
    expect(cnames.length).toBeGreaterThan(0);
    for (const record of cnames) expect(record.content).toContain(`data.terraform_remote_state.${remote('origin')}.outputs.`);
  });

  it('every per-hostname origin-pull switch uses a certificate uploaded by its environment\'s custody stack, never a managed or zone-level one', () => {
    let seen = 0;
    for (const [name, json] of stacks) {
      const switches = Object.values<any>(resourcesOf(json, 'cloudflare_authenticated_origin_pulls'));
      const settings = Object.values<any>(resourcesOf(json, 'cloudflare_authenticated_origin_pulls_settings'));
      if (switches.length === 0 && settings.length === 0) continue;
      const env = parseStackName(name)!.environment;
      const uploads = Object.keys(resourcesOf(stacks.get(`${env}-pki`)!, 'cloudflare_authenticated_origin_pulls_hostname_certificate'));
      for (const a of switches) {
        seen++;
        expect({ name, certs: a.config.map((c: any) => uploads.some((u) => publishedBy(env, json, c.cert_id).insecure_value === `\${cloudflare_authenticated_origin_pulls_hostname_certificate.${u}.id}`)) }).toEqual({ name, certs: [true] });
      }
      if (settings.length > 0) {
        // Zone-wide: the edge waits for the custody stack's zone certificate (it reads the published id).
        const zoneUploads = Object.keys(resourcesOf(stacks.get(`${env}-pki`)!, 'cloudflare_authenticated_origin_pulls_certificate'));
        const reads = Object.keys(json.data?.aws_ssm_parameter ?? {}).map((r) => publishedBy(env, json, `\${data.aws_ssm_parameter.${r}.insecure_value}`).insecure_value);
        expect(zoneUploads.some((u) => reads.includes(`\${cloudflare_authenticated_origin_pulls_certificate.${u}.id}`))).toBe(true);
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
