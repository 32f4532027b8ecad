import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { LoadedEnvironment } from '../../envs/load';
import { resolveEnvironment, type ResolvedEnvironment, type ResolvedFiles } from '../../envs/resolve';
import type { ByoPkiConfig } from '../../envs/schema/pki';
import { caPin } from '../../lib/ca-pins';
import type { OriginDomain } from '../../modules/origin/origin-outputs';
import { EdgeStack } from '../../stacks/edge-stack';
import { PkiStack } from '../../stacks/pki-stack';
import { asn1Time, hoursFromNow, OpensslWorkbench, type TestKeyAlgorithm } from './openssl';
import type { StackJson } from './synth';

/** A throwaway PKI made with the real openssl CLI: our CA, and a lookalike of Cloudflare's shared one. */
export interface TestPki {
  readonly caPem: string;
  /** Origin-pull client certificate issued by our CA. */
  readonly originPullPem: string;
  /** Its private key: only for scanning output, never handed to the app. */
  readonly originPullKeyPem: string;
  /** A CA with the distinguished name of Cloudflare's shared origin-pull CA. */
  readonly sharedCaPem: string;
  /** A client certificate issued by that lookalike. */
  readonly sharedCaLeafPem: string;
  /** A leaf certificate (not a CA): what a wrong "client CA" file would hold. */
  readonly notACaPem: string;
}

export function generateTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'edge-pki-'));
  try {
    const wb = new OpensslWorkbench(dir);
    const key: TestKeyAlgorithm = { type: 'ec', curve: 'P-256' };
    const caUsage = ['keyCertSign', 'cRLSign'];
    const twoDays = asn1Time(hoursFromNow(48));
    const oneDay = asn1Time(hoursFromNow(24));
    const ca = wb.issue('ca', { subject: '/O=Example Edge Test/CN=Example Edge Test Client CA', key, ca: true, keyUsage: caUsage, notAfter: twoDays });
    const originPull = wb.clientLeaf('origin-pull', ca, { subject: '/CN=cloudflare-origin-pull.example.com', key, notAfter: oneDay });
    const shared = wb.issue('shared', {
      subject: '/C=US/O=CloudFlare, Inc./OU=Origin Pull/L=San Francisco/ST=California/CN=origin-pull.cloudflare.net', key, ca: true, keyUsage: caUsage, notAfter: twoDays,
    });
    const sharedLeaf = wb.clientLeaf('shared-leaf', shared, { subject: '/CN=any-cloudflare-zone', key, notAfter: oneDay });
    return {
      caPem: ca.certPem,
      originPullPem: originPull.certPem,
      originPullKeyPem: originPull.keyPem,
      sharedCaPem: shared.certPem,
      sharedCaLeafPem: sharedLeaf.certPem,
      notACaPem: originPull.certPem,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sensitive variable the test custody stack reads the origin-pull private key from. */
export const TEST_ORIGIN_PULL_KEY_VARIABLE = 'origin_pull_private_key_pem';

/**
 * The custody stack (`<env>-pki`) of `env`, fed by the test PKI as a bring-your-own CA:
 * the CA and the origin-pull certificate are literal PEM, and the origin-pull private key
 * is a sensitive variable, as the real one is a tls_private_key attribute or a Secrets
 * Manager read. It uploads the origin-pull certificate and publishes the upload's id
 * (SSM); the CA travels as a literal, so the edge stack checks it at synth time.
 */
export function testCustodyStack(app: App, env: ResolvedEnvironment, pki: TestPki): PkiStack {
  const byo: ByoPkiConfig = {
    mode: 'byo',
    caBundle: 'test-ca.pem',
    expectedCaKeys: [caPin(new X509Certificate(pki.caPem))],
    originPullClient: { certificate: 'test-origin-pull.pem', privateKey: { terraformVariable: TEST_ORIGIN_PULL_KEY_VARIABLE } },
  };
  const files: ResolvedFiles = { ...env.files, byoPki: { caPems: [pki.caPem], originPullClientPem: pki.originPullPem } };
  return new PkiStack(app, { env: { ...env, config: { ...env.config, pki: byo }, files } });
}

export function testOriginDomains(env: Pick<LoadedEnvironment, 'config'>): Map<string, OriginDomain> {
  return new Map(
    env.config.hostnames.map((h, i): [string, OriginDomain] => [
      h.name,
      { hostname: h.name, regionalDomainName: `d-test${i}.execute-api.${env.config.aws.region}.amazonaws.com`, regionalZoneId: 'ZTESTZONE' },
    ]),
  );
}

export interface SynthesizedEdge {
  /** Each stack's Terraform JSON by stack name. */
  readonly stacks: Map<string, StackJson>;
  /** Every file the synthesis wrote, by path relative to the output folder. */
  readonly files: Map<string, string>;
}

/** Synthesizes one EdgeStack per environment, fed by its custody stack holding a test-time PKI (testCustodyStack), and returns everything written. */
export function synthEdgeStacks(envs: readonly LoadedEnvironment[], pki: TestPki): SynthesizedEdge {
  const outdir = mkdtempSync(join(tmpdir(), 'edge-synth-'));
  try {
    const app = new App({ outdir });
    for (const loaded of envs) {
      const env = resolveEnvironment(loaded);
      new EdgeStack(app, { env, custody: testCustodyStack(app, env, pki), originDomains: testOriginDomains(loaded) });
    }
    app.synth();
    const files = new Map<string, string>();
    const walk = (dir: string, rel: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path, `${rel}${entry}/`);
        else files.set(`${rel}${entry}`, readFileSync(path, 'utf8'));
      }
    };
    walk(outdir, '');
    const manifest = JSON.parse(files.get('manifest.json')!);
    const stacks = new Map<string, StackJson>();
    for (const [name, info] of Object.entries<any>(manifest.stacks)) stacks.set(name, JSON.parse(files.get(info.synthesizedStackPath.replace(/^\.\//, ''))!));
    return { stacks, files };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Where a private key's material shows up in some text: its PEM armour, its secret
 * scalar (hex or base64url), or any 40-character run of its PEM body. A PKCS#8 key
 * also embeds the public key, which legitimately appears in the certificate, so runs
 * found in `publicPems` are not counted.
 */
export function privateKeyLeaks(text: string, keyPem: string, publicPems: readonly string[] = []): string[] {
  const leaks: string[] = [];
  const flat = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) leaks.push('a PEM "PRIVATE KEY" block');
  const { d } = createPrivateKey(keyPem).export({ format: 'jwk' });
  if (d && (text.includes(d) || text.toLowerCase().includes(Buffer.from(d, 'base64url').toString('hex')))) leaks.push('the secret scalar');
  const body = flat(keyPem);
  const publicText = publicPems.map(flat).join('|');
  for (let i = 0; i + 40 <= body.length; i += 20) {
    const chunk = body.slice(i, i + 40);
    if (publicText.includes(chunk)) continue;
    if (text.replace(/\\n|\s/g, '').includes(chunk)) {
      leaks.push(`key material at offset ${i}`);
      break;
    }
  }
  return leaks;
}
