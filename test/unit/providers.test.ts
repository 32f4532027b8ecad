import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { parse } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { AWS_PROVIDER, CLOUDFLARE_BINDINGS_VERSION, CLOUDFLARE_PROVIDER, PROVIDER_MIRROR, TLS_PROVIDER } from '../../lib/providers';
import { cliConfigText } from '../../tools/terraform';

// lib/providers.ts states each provider version and the mirror path once; these
// tests tie it to what the installed bindings generate and to the places that
// cannot import it (the CI workflow that builds the mirror).

function requiredProviders(): Record<string, { source: string; version: string }> {
  const stack = new TerraformStack(new App(), 's');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new CloudflareProvider(stack, 'cloudflare', {});
  new TlsProvider(stack, 'tls', {});
  return JSON.parse(Testing.synth(stack)).terraform.required_providers;
}

describe('provider versions', () => {
  const generated = requiredProviders();

  it('are the ones the installed @cdktf/provider-aws and -cloudflare bindings generate', () => {
    // cdktf writes the short name of a hashicorp/ provider.
    expect({ source: `hashicorp/${generated.aws.source}`, version: generated.aws.version }).toEqual(AWS_PROVIDER);
    expect(generated.cloudflare).toEqual({ source: CLOUDFLARE_PROVIDER.source, version: CLOUDFLARE_BINDINGS_VERSION });
  });

  it('raise Cloudflare above the bindings to the release with per-hostname AOP and API Shield associations (>= 5.19)', () => {
    const [major, minor] = CLOUDFLARE_PROVIDER.version.split('.').map(Number);
    expect(major).toBe(5);
    expect(minor).toBeGreaterThanOrEqual(19);
  });

  it('raise the tls constraint above the 4.1 schema of the bindings, and stay below the next major', () => {
    expect(generated.tls.version).toMatch(/4\.1/);
    // 4.2.0 replaced every certificate after an upgrade (tls#737): never admit it.
    expect(TLS_PROVIDER.version).toBe('>= 4.2.1, < 5.0.0');
  });

  it('the CI workflow builds the mirror of this AWS provider release in this path', () => {
    const workflow = parse(readFileSync(fromRoot('.github', 'workflows', 'ci.yml'), 'utf8'));
    expect(String(workflow.env.AWS_PROVIDER_VERSION)).toBe(AWS_PROVIDER.version);
    const text = readFileSync(fromRoot('.github', 'workflows', 'ci.yml'), 'utf8');
    const paths = new Set(text.match(/\/opt\/[\w-]+/g));
    expect([...paths]).toEqual([PROVIDER_MIRROR]);
  });

  const mirrored = join(PROVIDER_MIRROR, 'registry.terraform.io', AWS_PROVIDER.source);
  (existsSync(mirrored) ? it : it.skip)(`the mirror on this machine holds this release (${mirrored})`, () => {
    expect(readdirSync(mirrored)).toContain(AWS_PROVIDER.version);
  });
  if (!existsSync(mirrored)) console.warn(`SKIPPED the mirror check: ${mirrored} is missing on this machine`);

  it("terraform's CLI configuration installs only the AWS provider, only from the mirror", () => {
    expect(cliConfigText()).toContain(`path    = "${PROVIDER_MIRROR}"`);
    expect(cliConfigText()).toContain(`include = ["registry.terraform.io/${AWS_PROVIDER.source}"]`);
    expect(cliConfigText()).not.toMatch(/direct|network_mirror/);
  });
});
