import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformUnavailableReason } from '../../tools/terraform';
import { validateStacks } from '../../tools/validate/validate';
import { buildApp } from '../../stacks/app';
import { ByoWorkspace } from '../support/byo-env';
import { opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { onlyResource, synthStacks } from '../support/synth';
import { describeUnless } from '../support/skip';

const describeOpenssl = describeUnless(opensslUnavailableReason(), 'bring-your-own PKI stack tests');

/** Bring-your-own mode with valid PEM files: what reaches Terraform, and what never does. */
describeOpenssl('bring-your-own PKI', () => {
  const ws = new ByoWorkspace();
  let ca: { root: TestCertificate; intermediate: TestCertificate };
  let originPull: TestCertificate;
  let server: TestCertificate;
  afterAll(() => ws.cleanup());

  beforeAll(() => {
    ca = ws.bench.caChain('corp', { key: { type: 'ec', curve: 'P-256' } });
    originPull = ws.bench.clientLeaf('corp-origin-pull', ca.intermediate, { key: { type: 'ec', curve: 'P-256' } });
    server = ws.bench.issue('corp-server', {
      subject: '/CN=api.dev.example.com', key: { type: 'rsa', bits: 2048 }, issuer: ca.intermediate, ca: false,
      keyUsage: ['digitalSignature', 'keyEncipherment'], extendedKeyUsage: ['serverAuth'], dnsNames: ['api.dev.example.com'],
    });
    ws.file('corp-bundle.pem', ca.root.certPem + ca.intermediate.certPem);
    ws.file('corp-chain.pem', ca.intermediate.certPem + ca.root.certPem);
    ws.file('origin-pull.pem', originPull.certPem);
    ws.file('server.pem', server.certPem);
    ws.writeDev(
      {
        mode: 'byo',
        caBundle: 'corp-bundle.pem',
        originPullClient: { certificate: 'origin-pull.pem', privateKey: { secretsManagerSecretId: 'edge/dev/origin-pull-key' } },
        serverCertificate: { certificate: 'server.pem', chain: 'corp-chain.pem', privateKey: { terraformVariable: 'server_private_key' } },
      },
      { serverCertificate: 'imported-own-ca' },
    );
  });

  it('puts the checked CA bundle into the truststore as literal PEM, and no key material anywhere', () => {
    const stacks = synthStacks('dev', ws.dir);
    const origin = stacks.get('dev-origin')!;
    const content: string = onlyResource(origin, 'aws_s3_object').content;
    expect(content).toContain(ca.root.certPem.trim());
    expect(content).toContain(ca.intermediate.certPem.trim());
    for (const [, stack] of stacks) expect(JSON.stringify(stack)).not.toMatch(/PRIVATE KEY/);
  });

  it('reads leaf keys from Secrets Manager or a sensitive variable, never from files', () => {
    const pki = synthStacks('dev', ws.dir).get('dev-pki')!;
    expect(Object.values<any>(pki.data.aws_secretsmanager_secret_version)[0].secret_id).toBe('edge/dev/origin-pull-key');
    expect(pki.variable.server_private_key).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(pki.resource?.tls_private_key).toBeUndefined();
    // The ACM import, with its key, is the custody stack's; the origin stack imports nothing.
    const origin = synthStacks('dev', ws.dir).get('dev-origin')!;
    expect(Object.keys(origin.resource.aws_acm_certificate).filter((n) => n.includes('OwnCaImport'))).toEqual([]);
    const imported = Object.entries<any>(pki.resource.aws_acm_certificate).find(([n]) => n.includes('OwnCaImport'))![1];
    expect(imported.certificate_body.trim()).toBe(server.certPem.trim());
    expect(imported.certificate_chain).toBe(ca.intermediate.certPem + ca.root.certPem);
    expect(imported.private_key).toBe('${var.server_private_key}');
    const upload = Object.values<any>(pki.resource.cloudflare_authenticated_origin_pulls_hostname_certificate)[0];
    expect(upload.private_key).toMatch(/^\$\{data\.aws_secretsmanager_secret_version\.[\w-]+\.secret_string\}$/);
  });

  it('exposes the same outputs contract as the generated PKI', () => {
    const { stacks } = buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') });
    const custody = stacks.get('dev')!.pki;
    const pki = custody.pki;
    expect(pki.caCertificates).toEqual([{ name: 'ca-1', pem: ca.root.certPem }, { name: 'ca-2', pem: ca.intermediate.certPem }]);
    expect(pki.clientCaPem).toBe(ca.root.certPem + ca.intermediate.certPem);
    expect(pki.originPullClient.certificatePem).toBe(originPull.certPem);
    expect(pki.serverCertificate?.chainPem).toBe(ca.intermediate.certPem + ca.root.certPem);
    // What the public stacks get: the CAs, known at synth time, as literals; the ids and ARN through SSM.
    expect(custody.outputs.caCertificates).toEqual([{ literal: ca.root.certPem }, { literal: ca.intermediate.certPem }]);
    expect(custody.outputs.originPullCertificateId).toEqual({ parameter: '/edge-mtls/dev/public/origin-pull-certificate-id' });
    expect(custody.outputs.importedServerCertificateArn).toEqual({ parameter: '/edge-mtls/dev/public/server-certificate-arn' });
  });

  const noTerraform = terraformUnavailableReason();
  if (noTerraform) console.warn(`SKIPPED terraform validate of the bring-your-own stacks: ${noTerraform}`);
  (noTerraform ? it.skip : it)('its AWS parts (Secrets Manager key, ACM import, ownership certificate) pass terraform validate', async () => {
    const work = mkdtempSync(join(tmpdir(), 'edge-byo-validate-'));
    try {
      const stacks = [...synthStacks('dev', ws.dir)].map(([name, json]) => ({ name, json }));
      const result = await validateStacks(stacks, work);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      // The Secrets Manager read of the origin-pull key, the ACM import, and the parameters
      // publishing the upload's id and the import's ARN (the CAs are literals in this mode).
      expect(result.checked.find((c) => c.stack === 'dev-pki')!.awsBlocks).toBe(4);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
