import { projectAwsOnly, replaceInterpolations } from '../../tools/validate/aws-projection';
import { AWS_PROVIDER } from '../../lib/providers';
import { terraformUnavailableReason } from '../../tools/terraform';
import { validateStacks } from '../../tools/validate/validate';
import { synthStacks } from '../support/synth';
import { scratchDir } from '../support/scratch';
import { describeUnless } from '../support/skip';

const describeTerraform = describeUnless(terraformUnavailableReason(), 'terraform validate tests');

describeTerraform(`terraform validate against the real AWS provider ${AWS_PROVIDER.version} (offline mirror)`, () => {
  const stacks = [...synthStacks()].map(([name, json]) => ({ name, json }));

  it('accepts every AWS resource of every stack of every environment', async () => {
    const result = await validateStacks(stacks, scratchDir('validate-'));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked.map((c) => c.stack).sort()).toEqual(stacks.map((s) => s.name).sort());
    expect(result.checked.reduce((n, c) => n + c.awsBlocks, 0)).toBeGreaterThan(0);
  });

  it('rejects a deliberately broken AWS attribute and names the stack', async () => {
    const broken = structuredClone(stacks.find((s) => s.name === 'dev-origin')!);
    const bucket = Object.values<any>(broken.json.resource.aws_s3_bucket)[0];
    bucket.bucket_prefixx = 'typo';
    const result = await validateStacks([broken], scratchDir('validate-'));
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toEqual(
      expect.arrayContaining([expect.objectContaining({ stack: 'dev-origin', severity: 'error', summary: 'Extraneous JSON object property' })]),
    );
  });
});

describe('the AWS-only projection', () => {
  const stack = {
    terraform: { required_providers: { aws: {}, tls: {}, cloudflare: {} }, backend: { s3: { bucket: 'b' } } },
    provider: { aws: [{}], tls: [{}], cloudflare: [{}] },
    resource: {
      tls_private_key: { Root: { algorithm: 'RSA' } },
      cloudflare_dns_record: { Cname: { name: 'x' } },
      aws_s3_object: {
        Truststore: {
          content: '${tls_self_signed_cert.Missing.cert_pem}${tls_private_key.Root.public_key_pem}',
          key: 'ca-${cloudflare_dns_record.Cname.id}.pem',
          depends_on: ['tls_private_key.Root', 'aws_s3_bucket.B'],
        },
      },
    },
  };

  it('drops non-AWS providers, resources and the backend, and replaces references to them', () => {
    const { json, removed } = projectAwsOnly(stack);
    expect(Object.keys(json.provider)).toEqual(['aws']);
    expect(Object.keys(json.terraform.required_providers)).toEqual(['aws']);
    expect(json.terraform.backend).toBeUndefined();
    expect(Object.keys(json.resource)).toEqual(['aws_s3_object']);
    expect([...removed].sort()).toEqual(['cloudflare_dns_record.Cname', 'tls_private_key.Root']);
    const object = json.resource.aws_s3_object.Truststore;
    // A reference to something that was never there is left for terraform to reject.
    expect(object.content).toBe('${tls_self_signed_cert.Missing.cert_pem}offline-placeholder:tls_private_key.Root.public_key_pem');
    expect(object.key).toBe('ca-offline-placeholder:cloudflare_dns_record.Cname.id.pem');
    expect(object.depends_on).toEqual(['aws_s3_bucket.B']);
  });

  it('treats brace-balanced function calls as one interpolation and keeps escaped ones', () => {
    const seen: string[] = [];
    const out = replaceInterpolations('a${jsonencode({x = "}"})}b$${literal}c', (e) => {
      seen.push(e);
      return 'R';
    });
    expect(seen).toEqual(['jsonencode({x = "}"})']);
    expect(out).toBe('aRb$${literal}c');
  });
});
