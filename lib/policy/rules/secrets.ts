import { scanForSecrets } from '../../secret-scan';
import { Rule } from '../engine';

export const noSecretMaterial: Rule = {
  id: 'NO-SECRET-MATERIAL',
  description: 'No private key, API token, AWS key, tunnel token or other literal secret appears anywhere in the stack JSON, user-data included (decoded).',
  fix: 'Take the value from a sensitive attribute (tls_private_key), a sensitive variable or AWS Secrets Manager at boot; never write it into config.',
  resourceTypes: [],
  require(stack) {
    return scanForSecrets(stack.json).map((hit) => ({ address: hit.path.split('.').slice(0, 3).join('.'), message: `${hit.kind} at ${hit.path} (${hit.excerpt})` }));
  },
};

export const secretRules: readonly Rule[] = [noSecretMaterial];
