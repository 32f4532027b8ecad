import { isCustodyStack } from '../../lib/naming';
import { awsSensitiveSchema, custodyFindings, mergeSchemas, renderCustodyFinding, snapshotSensitiveSchema, type SensitiveSchema } from '../../tools/policy/custody';
import { terraformUnavailableReason } from '../../tools/terraform';
import { budgetFor } from '../support/budget';
import { synthStacks, type StackJson } from '../support/synth';
import { describeUnless } from '../support/skip';

// "Sensitive" comes from the providers: the Cloudflare and tls snapshots, and the AWS
// provider's own schema, which only terraform with the offline mirror can print.
const describeTerraform = describeUnless(terraformUnavailableReason(), 'key custody tests (the AWS provider schema needs terraform)');

type Stacks = Map<string, StackJson>;

const first = (json: any, kind: 'resource' | 'data', type: string): [string, any] => {
  const entries = Object.entries<any>(json[kind]?.[type] ?? {});
  if (entries.length === 0) throw new Error(`no ${kind} ${type} in this stack`);
  return entries[0];
};

describeTerraform('key custody: private keys and secrets live only in custody stacks, whose state nothing else reads', () => {
  let schema: SensitiveSchema;
  let all: Stacks;
  beforeAll(async () => {
    schema = mergeSchemas(snapshotSensitiveSchema(), await awsSensitiveSchema());
    all = synthStacks();
  }, budgetFor('terraformInit'));

  const findingsOf = (stacks: Stacks) => custodyFindings(stacks, schema).map(renderCustodyFinding);
  const mutated = (mutate: (stacks: Stacks) => void): string[] => {
    const copy: Stacks = new Map([...all].map(([n, j]) => [n, structuredClone(j)]));
    mutate(copy);
    return findingsOf(copy);
  };

  it('reads sensitive attributes from all three providers', () => {
    expect(schema.resource.get('tls_private_key')?.map((a) => a.path)).toContain('private_key_pem');
    expect(schema.resource.get('aws_acm_certificate')?.map((a) => a.path)).toContain('private_key');
    expect(schema.data.get('cloudflare_zero_trust_tunnel_cloudflared_token')?.map((a) => a.path)).toContain('token');
  });

  it('holds for every synthesized stack of every environment', () => {
    expect(all.size).toBeGreaterThan(4);
    expect([...all.keys()].filter(isCustodyStack).length).toBeGreaterThanOrEqual(4);
    expect(findingsOf(all)).toEqual([]);
  });

  it('keeps every key-bearing resource in the custody stack', () => {
    const types = new Set(['tls_private_key', 'cloudflare_authenticated_origin_pulls_hostname_certificate', 'cloudflare_authenticated_origin_pulls_certificate', 'aws_secretsmanager_secret_version', 'cloudflare_zero_trust_access_service_token']);
    for (const [name, json] of all) {
      const held = Object.keys(json.resource ?? {}).filter((t) => types.has(t));
      if (!isCustodyStack(name)) expect({ name, held }).toEqual({ name, held: [] });
    }
    expect(Object.keys(all.get('local-pki')!.resource)).toEqual(expect.arrayContaining(['tls_private_key', 'aws_secretsmanager_secret_version', 'cloudflare_authenticated_origin_pulls_hostname_certificate']));
    expect(Object.keys(all.get('staging-pki')!.resource)).toContain('cloudflare_zero_trust_access_service_token');
  });

  describe('refuses, naming the stack and address', () => {
    it('a private key resource in a public stack', () => {
      const found = mutated((s) => {
        const [name, key] = first(s.get('dev-pki'), 'resource', 'tls_private_key');
        s.get('dev-origin')!.resource.tls_private_key = { [name]: key };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-origin: tls_private_key\.\S+ the provider computes private_key_pem/)]));
    });

    it('a public resource that references a private key', () => {
      const found = mutated((s) => {
        const origin = s.get('dev-origin')!;
        origin.resource.tls_private_key = { Leak: { algorithm: 'ECDSA' } };
        const [, object] = first(origin, 'resource', 'aws_s3_object');
        object.content = '${tls_private_key.Leak.private_key_pem}';
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-origin: aws_s3_object\.\S+ references tls_private_key\.Leak\.private_key_pem/)]));
    });

    it('an origin-pull upload with its key in the edge stack', () => {
      const found = mutated((s) => {
        const edge = s.get('dev-edge')!;
        edge.resource.cloudflare_authenticated_origin_pulls_hostname_certificate = { Upload: { zone_id: 'z', certificate: 'PEM', private_key: '${var.k}' } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-edge: cloudflare_authenticated_origin_pulls_hostname_certificate\.Upload sets private_key/)]));
    });

    it('an imported ACM certificate with its key in the origin stack (AWS schema)', () => {
      const found = mutated((s) => {
        s.get('prod-origin')!.resource.aws_acm_certificate.Imported = { certificate_body: 'PEM', private_key: 'x' };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^prod-origin: aws_acm_certificate\.Imported sets private_key/)]));
    });

    it('a secret version with a value in a public stack', () => {
      const found = mutated((s) => {
        s.get('local-keyless')!.resource.aws_secretsmanager_secret_version = { Token: { secret_id: 'x', secret_string: 'y' } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^local-keyless: aws_secretsmanager_secret_version\.Token sets secret_string/)]));
    });

    it('the tunnel token data source in a public stack', () => {
      const found = mutated((s) => {
        s.get('local-keyless')!.data.cloudflare_zero_trust_tunnel_cloudflared_token = { Token: { account_id: 'a', tunnel_id: 't' } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^local-keyless: data\.cloudflare_zero_trust_tunnel_cloudflared_token\.Token the provider computes token/)]));
    });

    it('an Access service token (its client secret is in state) in the edge stack', () => {
      const found = mutated((s) => {
        s.get('staging-edge')!.resource.cloudflare_zero_trust_access_service_token = { T: { account_id: 'a', name: 'n' } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^staging-edge: cloudflare_zero_trust_access_service_token\.T the provider computes client_secret/)]));
    });

    it('an SSM read that decrypts, and a reference to its sensitive value', () => {
      const found = mutated((s) => {
        const edge = s.get('dev-edge')!;
        const [name, read] = first(edge, 'data', 'aws_ssm_parameter');
        delete read.with_decryption;
        const [, record] = first(edge, 'resource', 'cloudflare_dns_record');
        record.comment = `\${data.aws_ssm_parameter.${name}.value}`;
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-edge: data\.aws_ssm_parameter\.\S+ the provider computes value/), expect.stringMatching(/^dev-edge: cloudflare_dns_record\.\S+ references data\.aws_ssm_parameter\.\S+\.value/)]));
    });

    it('a sensitive variable in a public stack', () => {
      const found = mutated((s) => {
        s.get('dev-origin')!.variable = { key: { type: 'string', sensitive: true } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-origin: var\.key is a sensitive variable/)]));
    });

    it('an output that carries a private key', () => {
      const found = mutated((s) => {
        const pki = s.get('dev-pki')!;
        const [name] = first(pki, 'resource', 'tls_private_key');
        const origin = s.get('dev-origin')!;
        origin.resource.tls_private_key = { [name]: { algorithm: 'ECDSA' } };
        origin.output = { ...origin.output, leak: { value: `\${tls_private_key.${name}.private_key_pem}` } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-origin: output\.leak outputs tls_private_key\./)]));
    });

    it('any stack reading the state of a custody stack', () => {
      const found = mutated((s) => {
        const backend = s.get('dev-pki')!.terraform.backend.s3;
        s.get('dev-edge')!.data.terraform_remote_state = { Keys: { backend: 's3', config: { bucket: backend.bucket, key: backend.key, region: backend.region } } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-edge: data\.terraform_remote_state\.Keys reads the state of custody stack dev-pki/)]));
    });

    it('a local custody state that a public stack reads', () => {
      const found = mutated((s) => {
        const path = s.get('local-pki')!.terraform.backend.local.path;
        s.get('local-origin')!.data = { ...s.get('local-origin')!.data, terraform_remote_state: { Keys: { backend: 'local', config: { path } } } };
      });
      expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^local-origin: data\.terraform_remote_state\.Keys reads the state of custody stack local-pki/)]));
    });

    it('custody state under the public prefix, or sharing its KMS key, or without one', () => {
      const nested = mutated((s) => {
        s.get('prod-pki')!.terraform.backend.s3.key = 'edge-mtls/prod/custody/prod-pki.tfstate';
      });
      expect(nested).toEqual(expect.arrayContaining([expect.stringMatching(/^prod-pki: terraform\.backend custody state folder "edge-mtls\/prod\/custody" is shared with public stack prod-origin/)]));
      const sharedKey = mutated((s) => {
        s.get('prod-pki')!.terraform.backend.s3.kms_key_id = s.get('prod-origin')!.terraform.backend.s3.kms_key_id;
      });
      expect(sharedKey).toEqual(expect.arrayContaining([expect.stringMatching(/^prod-pki: terraform\.backend custody KMS key alias\/terraform-state also encrypts public stack prod-origin/)]));
      const noKey = mutated((s) => {
        delete s.get('dev-pki')!.terraform.backend.s3.kms_key_id;
      });
      expect(noKey).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-pki: terraform\.backend custody state has no KMS key of its own/)]));
    });

    it('a custody stack publishing a private key, or publishing as SecureString', () => {
      const found = mutated((s) => {
        const pki = s.get('dev-pki')!;
        const [key] = first(pki, 'resource', 'tls_private_key');
        const [name, parameter] = first(pki, 'resource', 'aws_ssm_parameter');
        parameter.insecure_value = `\${tls_private_key.${key}.private_key_pem}`;
        pki.resource.aws_ssm_parameter[`${name}2`] = { ...parameter, insecure_value: 'x', type: 'SecureString' };
      });
      expect(found).toEqual(expect.arrayContaining([
        expect.stringMatching(/^dev-pki: aws_ssm_parameter\.\S+ publishes tls_private_key\.\S+\.private_key_pem/),
        expect.stringMatching(/^dev-pki: aws_ssm_parameter\.\S+2 is a SecureString parameter/),
      ]));
    });
  });
});
