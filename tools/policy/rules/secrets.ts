import { scanForSecrets } from '../secret-scan';
import { Rule } from '../engine';

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

export const secretRules: readonly Rule[] = [noSecretMaterial];
