import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/errors';
import { loadLoneLeafFile } from '../../../lib/pem-files';
import { synthesize } from '../../../tools/synth/synth';
import { baseEnvironment, withField } from '../../support/env-files';
import { onlyResource, resourcesOf, synthStacks } from '../../support/synth';
import { makeTestCertificates, opensslUnavailableReason, type TestCertificates } from '../../support/openssl';
import { stringify } from 'yaml';
import { describeUnless } from '../../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'keyless leaf certificate tests');

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError, got success');
}

describeOpenssl('the keyless edge certificate (file form)', () => {
  let dir: string;
  let certs: TestCertificates;
  /** Writes `text` as edge.pem beside a pretend env file and reads it the way the resolve phase does. */
  const lone = (text: string, now?: Date) => {
    writeFileSync(join(dir, 'edge.pem'), text);
    return loadLoneLeafFile({ envFile: 'envs/local.yaml', baseDir: dir, field: 'keyless.certificate.file', path: 'edge.pem' }, { now });
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyless-cert-'));
    certs = makeTestCertificates(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a single currently valid leaf and keeps it byte for byte', () => {
    const leaf = lone(certs.leafPem);
    expect(leaf.pems[0].trim()).toBe(certs.leafPem.trim());
    expect(leaf.certificates[0].subject).toContain('CN=www.example.test');
  });

  it('rejects a chain (fullchain.pem) and says to keep the leaf block only', () => {
    expect(messageOf(() => lone(certs.chainPem))).toMatch(
      /envs\/local\.yaml: keyless\.certificate\.file: edge\.pem: holds 2 certificates; expected exactly one leaf certificate \(the leaf alone: keep only its BEGIN\/END CERTIFICATE block/,
    );
  });

  it('rejects a CA certificate', () => {
    expect(messageOf(() => lone(certs.caPem))).toMatch(/"CN=Keyless Test CA" is a CA certificate .*expected the edge \(leaf\) certificate/);
  });

  it('rejects a file that carries the private key', () => {
    expect(messageOf(() => lone(certs.leafPem + certs.leafKeyPem))).toMatch(/PRIVATE KEY block; the key stays on the key servers/);
  });

  it('rejects an expired certificate (checked against a clock two days ahead)', () => {
    const later = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    expect(messageOf(() => lone(certs.leafPem, later))).toMatch(/the certificate expired on \d{4}-/);
  });

  it('rejects text with no certificate and a missing file', () => {
    expect(messageOf(() => lone('hello'))).toMatch(/unexpected text after the last PEM block|no PEM block found/);
    expect(messageOf(() => loadLoneLeafFile({ envFile: 'envs/local.yaml', baseDir: dir, field: 'keyless.certificate.file', path: 'missing.pem' }))).toMatch(/missing\.pem: does not exist/);
  });

  describe('through synth', () => {
    const envWith = (pemName: string) => withField(baseEnvironment('local'), 'keyless.certificate', { file: pemName });

    it('uploads the leaf from a file next to the env file, with host, port, bundle method and tunnel', () => {
      const envs = mkdtempSync(join(tmpdir(), 'keyless-envs-'));
      try {
        writeFileSync(join(envs, 'edge.pem'), certs.leafPem);
        writeFileSync(join(envs, 'local.yaml'), stringify(envWith('edge.pem')));
        const stack = synthStacks('local', envs).get('local-keyless')!;
        const configs = Object.values<any>(resourcesOf(stack, 'cloudflare_keyless_certificate'));
        expect(configs.map((c) => [c.host, c.tunnel.private_ip, c.port, c.bundle_method])).toEqual([
          ['10.40.1.10', '10.40.1.10', 2407, 'ubiquitous'],
          ['10.40.2.10', '10.40.2.10', 2407, 'ubiquitous'],
        ]);
        for (const c of configs) {
          expect(c.certificate.trim()).toBe(certs.leafPem.trim());
          expect(c.tunnel.vnet_id).toMatch(/^\$\{cloudflare_zero_trust_tunnel_cloudflared_virtual_network\.[\w-]+\.id\}$/);
        }
        expect(stack.data?.aws_ssm_parameter).toBeUndefined();
      } finally {
        rmSync(envs, { recursive: true, force: true });
      }
    });

    it('stops on a chain before any Terraform is written, naming the env file and field', () => {
      const envs = mkdtempSync(join(tmpdir(), 'keyless-envs-'));
      const out = mkdtempSync(join(tmpdir(), 'keyless-out-'));
      try {
        writeFileSync(join(envs, 'fullchain.pem'), certs.chainPem);
        writeFileSync(join(envs, 'local.yaml'), stringify(envWith('fullchain.pem')));
        const outdir = join(out, 'cdktf.out');
        mkdirSync(outdir);
        writeFileSync(join(outdir, 'sentinel'), 'previous synth');
        expect(() => synthesize({ outdir, envsDir: envs })).toThrow(/local\.yaml: keyless\.certificate\.file: fullchain\.pem: holds 2 certificates/);
        expect(readFileSync(join(outdir, 'sentinel'), 'utf8')).toBe('previous synth');
        expect(existsSync(join(outdir, 'stacks'))).toBe(false);
      } finally {
        rmSync(envs, { recursive: true, force: true });
        rmSync(out, { recursive: true, force: true });
      }
    });
  });
});

describe('the keyless edge certificate (SSM form)', () => {
  const stack = synthStacks('prod').get('prod-keyless')!;

  it('reads the PEM at plan time, without decrypting, and refuses anything but exactly one certificate', () => {
    const param = Object.values<any>(stack.data.aws_ssm_parameter)[0];
    expect(param.name).toBe('/edge/prod/keyless-certificate');
    // A SecureString swapped in must not land decrypted in this public stack's state: it fails the condition instead.
    expect(param.with_decryption).toBe(false);
    expect(param.lifecycle.postcondition[0].condition).toBe(
      '${length(regexall("-----BEGIN CERTIFICATE-----", self.insecure_value)) == 1 && length(regexall("PRIVATE KEY-----", self.insecure_value)) == 0}',
    );
    const config = Object.values<any>(resourcesOf(stack, 'cloudflare_keyless_certificate'))[0];
    expect(config.certificate).toMatch(/^\$\{data\.aws_ssm_parameter\.[\w-]+\.insecure_value\}$/);
    expect(onlyResource(stack, 'cloudflare_zero_trust_tunnel_cloudflared').config_src).toBe('cloudflare');
  });
});
