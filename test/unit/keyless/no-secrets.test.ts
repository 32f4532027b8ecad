import { generateKeyPairSync } from 'node:crypto';
import { resourcesOf, synthStacks, type StackJson } from '../../support/synth';
import { exampleArnFor, renderTemplate } from '../../support/terraform-render';

/** Shapes of secret material that must never be written by synth. */
const SECRET_PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['Cloudflare tunnel token (base64 JSON {"a":...})', /eyJhIjoi[A-Za-z0-9+/=_-]{20,}/],
  ['Cloudflare Origin CA key', /v1\.0-[0-9a-f]{24}-[0-9a-f]{100,}/],
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
];

/** Argument names that hold secrets: their value may only be a reference, never a literal. */
const SECRET_ARGUMENT = /(^|_)(token|api_key|secret_string|secret_binary|private_key|password|tunnel_secret)$/;

/** Every finding in a stack: secret-shaped text anywhere, or a literal in a secret argument. */
function findSecrets(name: string, json: StackJson): string[] {
  const findings: string[] = [];
  const text = JSON.stringify(json);
  for (const [what, re] of SECRET_PATTERNS) if (re.test(text)) findings.push(`${name}: ${what}`);
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    else if (typeof v === 'string') {
      const key = path.split('.').pop()!.replace(/\[\d+\]$/, '');
      if (SECRET_ARGUMENT.test(key) && !/^\$\{[^}]+\}$/.test(v)) findings.push(`${name}: literal value in ${path}`);
    }
  };
  walk(json.resource ?? {}, 'resource');
  walk(json.data ?? {}, 'data');
  walk(json.output ?? {}, 'output');
  walk(json.locals ?? {}, 'locals');
  for (const [out, def] of Object.entries<any>(json.output ?? {})) {
    // No exception, not even a sensitive cross-stack output: every key is used inside the
    // custody stack that holds it (key custody), and nothing reads that stack's state.
    if (/tunnel_cloudflared_token|secretsmanager_secret_version|private_key/.test(JSON.stringify(def.value))) findings.push(`${name}: output ${out} exposes a secret`);
  }
  return findings;
}

const stacks = synthStacks();

describe('synthesized Terraform and user-data hold no secret material', () => {
  it('no stack of any environment contains a private key, token or API key, nor a literal in a secret argument', () => {
    const findings = [...stacks].flatMap(([name, json]) => findSecrets(name, json));
    expect(findings).toEqual([]);
    expect(stacks.size).toBeGreaterThan(4);
  });

  it('the scanner finds each kind of secret when one is planted (so the check above can fail)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // The key servers' stack, and the custody stack that writes their tunnel token.
    const keyless = stacks.get('prod-keyless')!;
    const custody = stacks.get('prod-pki')!;
    const planted: Array<[string, StackJson, (j: StackJson) => void, RegExp]> = [
      ['a private key in user-data', keyless, (j) => { Object.values<any>(j.resource.aws_instance)[0].user_data += privateKey.export({ type: 'pkcs8', format: 'pem' }); }, /PEM private key/],
      ['a tunnel token literal', custody, (j) => { Object.values<any>(j.resource.aws_secretsmanager_secret_version)[0].secret_string = 'eyJhIjoiMDEyMzQ1Njc4OWFiY2RlZiIsInQiOiJ4In0='; }, /tunnel token|literal value in resource\.aws_secretsmanager_secret_version/],
      ['an origin CA key', keyless, (j) => { j.locals = { k: `v1.0-${'a'.repeat(24)}-${'b'.repeat(146)}` }; }, /Origin CA key/],
      ['the tunnel token as an output', custody, (j) => { j.output = { token: { value: '${data.cloudflare_zero_trust_tunnel_cloudflared_token.T.token}', sensitive: true } }; }, /output token exposes a secret/],
      ['a private key as a plain (not sensitive) output', custody, (j) => { j.output = { key: { value: '${tls_private_key.K.private_key_pem}' } }; }, /output key exposes a secret/],
      ['a private key as a sensitive cross-stack output', custody, (j) => { j.output = { 'cross-stack-output-tls_private_keyK': { value: '${tls_private_key.K.private_key_pem}', sensitive: true } }; }, /output cross-stack-output-tls_private_keyK exposes a secret/],
      ['an AWS key id', keyless, (j) => { j.locals = { k: 'AKIAABCDEFGHIJKLMNOP' }; }, /AWS access key id/],
    ];
    for (const [what, base, plant, expected] of planted) {
      const copy = structuredClone(base);
      plant(copy);
      expect({ what, findings: findSecrets('planted', copy).join('; ') }).toEqual({ what, findings: expect.stringMatching(expected) });
    }
  });

  it('user-data, as each key server receives it, references secrets only by ARN', () => {
    for (const [name, json] of stacks) {
      for (const instance of Object.values<any>(resourcesOf(json, 'aws_instance'))) {
        const references = [...(instance.user_data as string).matchAll(/(?<!\$)\$\{([^}]+)\}/g)].map((m) => m[1]);
        expect({ name, bad: references.filter((r) => !/^aws_secretsmanager_secret\.[\w-]+\.arn$/.test(r)) }).toEqual({ name, bad: [] });
        const rendered = renderTemplate(instance.user_data, exampleArnFor);
        for (const [what, re] of SECRET_PATTERNS) expect({ name, what, found: re.test(rendered) }).toEqual({ name, what, found: false });
      }
    }
  });
});
