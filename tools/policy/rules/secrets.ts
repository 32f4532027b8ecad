import { scanForSecrets } from '../secret-scan';
import { Rule } from '../engine';

// Overlaps Trivy AVD-AWS-0029/0129 (AWS keys in user data); kept: private keys, Cloudflare and tunnel tokens anywhere in the JSON, gzip user data decoded.
export const noSecretMaterial: Rule = {
  id: 'NO-SECRET-MATERIAL',
  description: 'No private key, API token, AWS key, tunnel token or other literal secret appears anywhere in the stack JSON, user-data included (decoded).',
  fix: 'Never put a secret in envs/<env>.yaml or a construct prop: keys come from the PKI stack (tls_private_key), tokens from CLOUDFLARE_API_TOKEN, host secrets from KeyServerSecrets (modules/keyless/key-server-secrets.ts) at boot.',
  resourceTypes: [],
  require(stack) {
    return scanForSecrets(stack.json).map((hit) => ({ address: addressOf(hit.path), message: `${hit.kind} at ${hit.path} (${hit.excerpt})` }));
  },
};

/** `resource.aws_instance.K.user_data` -> `aws_instance.K`; `data.x.y.z` -> `data.x.y`; `output.o.value` -> `output.o`. */
function addressOf(path: string): string {
  const parts = path.split(/[.[]/);
  if (parts[0] === 'resource') return parts.slice(1, 3).join('.');
  if (parts[0] === 'data') return parts.slice(0, 3).join('.');
  return parts.slice(0, 2).join('.');
}

export const secretResourcePolicy: Rule = {
  id: 'SECRET-RESOURCE-POLICY',
  description: 'Every Secrets Manager secret has its resource policy managed (aws_secretsmanager_secret_policy), so a cross-account grant added out of band is drift.',
  fix: 'Build secrets with modules/keyless/key-server-secrets.ts, or add an aws_secretsmanager_secret_policy for the secret.',
  resourceTypes: ['aws_secretsmanager_secret'],
  check(secret, stack) {
    const policies = stack.referencing(secret, 'aws_secretsmanager_secret_policy', 'secret_arn');
    if (policies.length === 0) return ['no aws_secretsmanager_secret_policy refers to this secret, so drift cannot see a resource policy added out of band'];
    return policies.filter((p) => p.body.block_public_policy !== true).map((p) => `${p.address} leaves block_public_policy not true`);
  },
};

export const secretRules: readonly Rule[] = [noSecretMaterial, secretResourcePolicy];
