import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformUnavailableReason } from '../../tools/terraform';
import { validateStacks } from '../../tools/validate/validate';
import { buildApp } from '../../stacks/app';
import { ByoWorkspace } from '../support/byo-env';
import { opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { onlyResource, synthStacks } from '../support/synth';

const unavailable = opensslUnavailableReason();
if (unavailable) console.warn(`SKIPPED bring-your-own PKI stack tests: ${unavailable}`);
const describeOpenssl = unavailable ? describe.skip : describe;

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
    const origin = synthStacks('dev', ws.dir).get('dev-origin')!;
    const imported = Object.entries<any>(origin.resource.aws_acm_certificate).find(([n]) => n.includes('OwnCaImport'))![1];
    expect(imported.certificate_body.trim()).toBe(server.certPem.trim());
    expect(imported.certificate_chain).toBe(ca.intermediate.certPem + ca.root.certPem);
    expect(imported.private_key).toMatch(/remote_state.*outputs\./);
  });

  it('exposes the same outputs contract as the generated PKI', () => {
    const { stacks } = buildApp({ selector: 'dev', envsDir: ws.dir, outdir: join(ws.dir, 'out') });
    const outputs = stacks.get('dev')!.pki.outputs;
    expect(outputs.clientCaPem).toBe(ca.root.certPem + ca.intermediate.certPem);
    expect(outputs.originPullClient.certificatePem).toBe(originPull.certPem);
    expect(outputs.serverCertificate?.chainPem).toBe(ca.intermediate.certPem + ca.root.certPem);
  });

  const noTerraform = terraformUnavailableReason();
  if (noTerraform) console.warn(`SKIPPED terraform validate of the bring-your-own stacks: ${noTerraform}`);
  (noTerraform ? it.skip : it)('its AWS parts (Secrets Manager key, ACM import, ownership certificate) pass terraform validate', async () => {
    const work = mkdtempSync(join(tmpdir(), 'edge-byo-validate-'));
    try {
      const stacks = [...synthStacks('dev', ws.dir)].map(([name, json]) => ({ name, json }));
      const result = await validateStacks(stacks, work);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.checked.find((c) => c.stack === 'dev-pki')!.awsBlocks).toBe(1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
