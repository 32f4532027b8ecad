import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { stringify } from 'yaml';
import { caPin } from '../../lib/ca-pins';
import { identify } from '../../lib/certificate-identity';
import { CLOUDFLARE_SHARED_ORIGIN_PULL_CA } from '../../lib/cloudflare-origin-pull-ca';
import { defineCommand, executeCommand, EXIT } from '../../tools/cli';
import { synthesize } from '../../tools/synth/synth';
import { type KeyEncoding, reencodeKey, withKey } from '../support/der-edit';
import { baseEnvironment, withField } from '../support/env-files';
import { OpensslWorkbench, opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { treeSnapshot } from '../support/tree';

const unavailable = opensslUnavailableReason();
if (unavailable) console.warn(`SKIPPED test/integration/pins-hostile.test.ts: ${unavailable}`);
const describeOpenssl = unavailable ? describe.skip : describe;

/**
 * Issue 25, classes "pins", "twins" and "env values", through the command runner with
 * the real synthesize(): each hostile env file or PEM file exits 1 with one problem line
 * naming dev.yaml (or the misnamed file) and the field, and the project folder (env
 * files, PEM files, the previous cdktf.out) is byte for byte what it was.
 */

interface Fixture {
  /** Our root (pathlen 1) -> intermediate (pathlen 0), EC P-256. */
  readonly root: TestCertificate;
  readonly intermediate: TestCertificate;
  /** A clientAuth leaf of the intermediate. */
  readonly originPull: TestCertificate;
  /** Another private CA, root -> intermediate. */
  readonly other: { root: TestCertificate; intermediate: TestCertificate };
  /** A clientAuth leaf of the other CA. */
  readonly otherLeaf: TestCertificate;
  /** A stand-in for a public issuing CA no root store lists: its key and name. */
  readonly publicIntermediate: TestCertificate;
  /** Certified by our root: the stand-in's key, name and key id (CA:TRUE). */
  readonly twinTemplate: X509Certificate;
}

interface HostileCase {
  /** Files of the envs folder (dev.yaml as an object, PEM text as strings). */
  readonly files: () => Record<string, Record<string, unknown> | string>;
  /** Field every problem line names. */
  readonly field: string;
  /** What the first problem line says after the field. */
  readonly message: RegExp | (() => RegExp);
  /** File the problems name. @default dev.yaml */
  readonly file?: string;
  /** Problem lines expected. @default 1 */
  readonly lines?: number;
  /** Text that must not appear anywhere in the output (a credential). */
  readonly never?: string;
}

let fx: Fixture;
const benchDir = mkdtempSync(join(tmpdir(), 'edge-pins-bench-'));
afterAll(() => rmSync(benchDir, { recursive: true, force: true }));

beforeAll(() => {
  if (unavailable) return;
  const bench = new OpensslWorkbench(benchDir);
  const ec = { type: 'ec', curve: 'P-256' } as const;
  const { root, intermediate } = bench.caChain('ours', { key: ec });
  const originPull = bench.clientLeaf('origin-pull', intermediate, { key: ec });
  const other = bench.caChain('other', { key: ec });
  const otherLeaf = bench.clientLeaf('other-leaf', other.intermediate, { key: ec });
  const publicIntermediate = bench.certify('public-issuing', { subject: '/C=US/O=Public Trust Services/CN=Public Issuing CA 1', key: ec });
  const twin = bench.certify('twin', { subject: '/C=US/O=Public Trust Services/CN=Public Issuing CA 1', publicKeyPath: bench.write('public-issuing.pub.pem', createPublicKey(publicIntermediate.keyPem).export({ type: 'spki', format: 'pem' })), issuer: root });
  fx = { root, intermediate, originPull, other, otherLeaf, publicIntermediate, twinTemplate: new X509Certificate(twin.certPem) };
});

const pem = (c: X509Certificate | TestCertificate) => (c instanceof X509Certificate ? c.toString() : c.certPem);
const pinOf = (c: X509Certificate | TestCertificate) => caPin(new X509Certificate(pem(c)));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const spkiOf = (c: X509Certificate | TestCertificate) => identify(new X509Certificate(pem(c))).parts.spki;

/** dev.yaml in bring-your-own mode over `ours.pem` and `origin-pull.pem`, with `pins` (undefined: no list at all). */
function byoDev(pins: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const pki: Record<string, unknown> = { mode: 'byo', caBundle: 'ours.pem', originPullClient: { certificate: 'origin-pull.pem', privateKey: { terraformVariable: 'origin_pull_key' } } };
  if (pins !== undefined) pki.expectedCaKeys = pins;
  return withField(baseEnvironment('dev'), 'pki', { ...pki, ...extra });
}
const ourFiles = () => ({ 'ours.pem': pem(fx.root) + pem(fx.intermediate), 'origin-pull.pem': pem(fx.originPull) });
const ourPins = () => [pinOf(fx.root), pinOf(fx.intermediate)];
/** The line an unpinned CA's problem prints, for `c`. */
const addLine = (c: X509Certificate | TestCertificate, field = 'pki.expectedCaKeys') => new RegExp(`add the line \`- ${escape(pinOf(c))}\` under ${escape(field)}`);

const dev = withField(baseEnvironment('dev'), 'name', 'dev');
const withEdge = (path: string, value: unknown) => withField(dev, path, value);
const webhook = (url: string) => withEdge('edge.alerts', { webhook: { name: 'alerts', url } });

const classes: Record<string, Array<[string, HostileCase]>> = {
  pins: [
    ['a BYO bundle and no pin list at all', { files: () => ({ 'dev.yaml': byoDev(undefined), ...ourFiles() }), field: 'pki.expectedCaKeys', lines: 2, message: () => new RegExp(`^ours\\.pem \\(pki\\.caBundle\\): certificate 1 \\("ours Root CA"\\) has a key the env file does not pin.*${addLine(fx.root).source}`) }],
    ['an empty pin list', { files: () => ({ 'dev.yaml': byoDev([]), ...ourFiles() }), field: 'pki.expectedCaKeys', lines: 2, message: () => addLine(fx.root) }],
    ['the root pinned, the intermediate not', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.root)]), ...ourFiles() }), field: 'pki.expectedCaKeys', message: () => new RegExp(`certificate 2 \\("ours Intermediate CA"\\).*${addLine(fx.intermediate).source}`) }],
    ['the intermediate pinned, the root not', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys', message: () => addLine(fx.root) }],
    ['the pins of another private CA', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.other.root), pinOf(fx.other.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys', lines: 2, message: () => addLine(fx.root) }],
    [
      "the bundle and origin-pull certificate swapped for another CA's, pins unchanged",
      { files: () => ({ 'dev.yaml': byoDev(ourPins()), 'ours.pem': pem(fx.other.root) + pem(fx.other.intermediate), 'origin-pull.pem': pem(fx.otherLeaf) }), field: 'pki.expectedCaKeys', lines: 2, message: () => addLine(fx.other.root) },
    ],
    [
      'a CA of the same name renewed with a new key',
      {
        files: () => {
          const bench = new OpensslWorkbench(benchDir);
          const renewed = bench.issue('ours-root-renewed', { subject: '/CN=ours Root CA/O=Test', key: { type: 'ec', curve: 'P-256' }, ca: true, pathLength: 0, keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'] });
          return { 'dev.yaml': byoDev(ourPins()), 'ours.pem': pem(fx.root) + pem(fx.intermediate) + pem(renewed), 'origin-pull.pem': pem(fx.originPull) };
        },
        field: 'pki.expectedCaKeys',
        message: /certificate 3 \("ours Root CA"\) has a key the env file does not pin.*add the line `- sha256:[0-9a-f]{64}` under pki\.expectedCaKeys/,
      },
    ],
    ['a pin in upper-case hex', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.root).toUpperCase(), pinOf(fx.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys[0]', message: /expected a key pin: "sha256:" and 64 lowercase hexadecimal characters/ }],
    ['a pin without its sha256: prefix', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.root).slice(7), pinOf(fx.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys[0]', message: /expected a key pin/ }],
    ['a pin one character short', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.root).slice(0, -1), pinOf(fx.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys[0]', message: /expected a key pin/ }],
    ['a pin as a sha1 fingerprint', { files: () => ({ 'dev.yaml': byoDev([`sha1:${'ab'.repeat(20)}`, pinOf(fx.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys[0]', message: /expected a key pin/ }],
    ['the same pin twice', { files: () => ({ 'dev.yaml': byoDev([pinOf(fx.root), pinOf(fx.root), pinOf(fx.intermediate)]), ...ourFiles() }), field: 'pki.expectedCaKeys', message: /expected each pinned key once/ }],
    ['one pin as a string instead of a list', { files: () => ({ 'dev.yaml': byoDev(pinOf(fx.root)), ...ourFiles() }), field: 'pki.expectedCaKeys', message: /^expected a list of key pins, one "- sha256:<hex>" line each/ }],
    [
      "the SHA-256 of the key's DER bytes instead of the canonical key pin",
      {
        files: () => ({ 'dev.yaml': byoDev([`sha256:${createHash('sha256').update(spkiOf(fx.root)).digest('hex')}`, pinOf(fx.intermediate)]), ...ourFiles() }),
        field: 'pki.expectedCaKeys',
        message: () => addLine(fx.root),
      },
    ],
    [
      'an extra trusted CA with no origin pin list',
      { files: () => ({ 'dev.yaml': withEdge('origin', { additionalTrustedCas: ['other.pem'] }), 'other.pem': pem(fx.other.root) + pem(fx.other.intermediate) }), field: 'origin.expectedCaKeys', lines: 2, message: () => new RegExp(`^other\\.pem \\(origin\\.additionalTrustedCas\\[0\\]\\): certificate 1 .*${addLine(fx.other.root, 'origin.expectedCaKeys').source}`) },
    ],
    [
      'an extra trusted CA pinned in pki.expectedCaKeys only (each list pins its own files)',
      {
        files: () => ({ 'dev.yaml': withField(byoDev([...ourPins(), pinOf(fx.other.root), pinOf(fx.other.intermediate)]), 'origin', { additionalTrustedCas: ['other.pem'] }), ...ourFiles(), 'other.pem': pem(fx.other.root) + pem(fx.other.intermediate) }),
        field: 'origin.expectedCaKeys',
        lines: 2,
        message: () => addLine(fx.other.root, 'origin.expectedCaKeys'),
      },
    ],
    [
      'a second extra CA file added beside a pinned one',
      {
        files: () => ({ 'dev.yaml': withEdge('origin', { additionalTrustedCas: ['other.pem', 'ours.pem'], expectedCaKeys: [pinOf(fx.other.root), pinOf(fx.other.intermediate)] }), 'other.pem': pem(fx.other.root) + pem(fx.other.intermediate), 'ours.pem': pem(fx.root) + pem(fx.intermediate) }),
        field: 'origin.expectedCaKeys',
        lines: 2,
        message: () => new RegExp(`^ours\\.pem \\(origin\\.additionalTrustedCas\\[1\\]\\).*${addLine(fx.root, 'origin.expectedCaKeys').source}`),
      },
    ],
  ],
  twins: [
    ...(['as-is', 'ec-compressed', 'ec-hybrid', 'ec-explicit-curve'] as KeyEncoding[]).map((how): [string, HostileCase] => [
      `a twin of a public issuing CA no store lists (key ${how}), cross-signed by our pinned root`,
      {
        files: () => ({ 'dev.yaml': byoDev(ourPins()), 'ours.pem': pem(fx.root) + pem(fx.intermediate) + pem(withKey(fx.twinTemplate, reencodeKey(spkiOf(fx.publicIntermediate), how), createPrivateKey(fx.root.keyPem))), 'origin-pull.pem': pem(fx.originPull) }),
        field: 'pki.expectedCaKeys',
        // Every encoding prints the one pin of the key: a reviewer sees the same line whatever the bytes.
        message: () => new RegExp(`certificate 3 \\("Public Issuing CA 1"\\).*${addLine(fx.publicIntermediate).source}`),
      },
    ]),
    ...(['as-is', 'rsa-without-null'] as KeyEncoding[]).map((how): [string, HostileCase] => [
      `an origin-pull certificate carrying Cloudflare's shared origin-pull key (${how}), signed by our pinned intermediate`,
      {
        files: () => ({
          'dev.yaml': byoDev(ourPins()),
          'ours.pem': pem(fx.root) + pem(fx.intermediate),
          'origin-pull.pem': pem(withKey(new X509Certificate(fx.originPull.certPem), reencodeKey(Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64'), how), createPrivateKey(fx.intermediate.keyPem))),
        }),
        field: 'pki.originPullClient.certificate',
        message: /^origin-pull\.pem: comes from Cloudflare's shared origin-pull CA, which every Cloudflare customer can present: it carries the public key of Cloudflare's shared origin-pull CA/,
      },
    ]),
    ...(['as-is', 'rsa-without-null'] as KeyEncoding[]).map((how): [string, HostileCase] => [
      `a CA carrying Cloudflare's shared key (${how}) in the bundle, even with its key pinned`,
      {
        files: () => {
          const twin = withKey(fx.twinTemplate, reencodeKey(Buffer.from(CLOUDFLARE_SHARED_ORIGIN_PULL_CA.spkiBase64, 'base64'), how), createPrivateKey(fx.root.keyPem));
          return { 'dev.yaml': byoDev([...ourPins(), pinOf(twin)]), 'ours.pem': pem(fx.root) + pem(fx.intermediate) + pem(twin), 'origin-pull.pem': pem(fx.originPull) };
        },
        field: 'pki.caBundle',
        message: /^ours\.pem: certificate 3 \("Public Issuing CA 1"\): refused: it carries the public key of Cloudflare's shared origin-pull CA/,
      },
    ]),
    ...(['as-is', 'rsa-without-null'] as KeyEncoding[]).map((how): [string, HostileCase] => [
      `a twin of a public root (key ${how}, its exact name and key id) as an extra CA, even with its key pinned`,
      {
        files: () => {
          const publicRoot = rootCertificates.map((p) => new X509Certificate(p)).find((c) => c.subject.includes('CN=ISRG Root X1'))!;
          const twin = withKey(publicRoot, reencodeKey(identify(publicRoot).parts.spki, how), createPrivateKey(fx.root.keyPem));
          return { 'dev.yaml': withEdge('origin', { additionalTrustedCas: ['partner.pem'], expectedCaKeys: [pinOf(twin)] }), 'partner.pem': pem(twin) };
        },
        field: 'origin.additionalTrustedCas[0]',
        lines: 2, // the refusal, then its missing path length constraint
        message: /^partner\.pem: certificate 1 \(.*\): refused: it (is|carries the key of) the publicly trusted root/,
      },
    ]),
  ],
  'env values': [
    ['a webhook URL with user:password@', { files: () => ({ 'dev.yaml': webhook('https://alerts:hunter2secret@hooks.example.com/cloudflare') }), field: 'edge.alerts.webhook.url', message: /^the URL carries a user name or password before "@"; it would be written into the synthesized JSON/, never: 'hunter2secret' }],
    ['a webhook URL with a bare token before @', { files: () => ({ 'dev.yaml': webhook('https://xoxb7token7value@hooks.example.com/cloudflare') }), field: 'edge.alerts.webhook.url', message: /^the URL carries a user name or password/, never: 'xoxb7token7value' }],
    ['a webhook URL with ?token=', { files: () => ({ 'dev.yaml': webhook('https://hooks.example.com/cloudflare?token=s3cr3tvalue') }), field: 'edge.alerts.webhook.url', message: /^the URL carries a credential in its query \("token"\)/, never: 's3cr3tvalue' }],
    ['a webhook URL with ?api_key=', { files: () => ({ 'dev.yaml': webhook('https://hooks.example.com/cloudflare?api_key=s3cr3tvalue') }), field: 'edge.alerts.webhook.url', message: /credential in its query \("api_key"\)/, never: 's3cr3tvalue' }],
    ['a webhook URL with a signature parameter', { files: () => ({ 'dev.yaml': webhook('https://hooks.example.com/workflows/run?api-version=2016-06-01&sig=s3cr3tvalue') }), field: 'edge.alerts.webhook.url', message: /credential in its query \("sig"\)/, never: 's3cr3tvalue' }],
    ['a webhook URL with access_token as its second parameter', { files: () => ({ 'dev.yaml': webhook('https://hooks.example.com/cloudflare?channel=sec&access_token=s3cr3tvalue') }), field: 'edge.alerts.webhook.url', message: /credential in its query \("access_token"\)/, never: 's3cr3tvalue' }],
    ['an unquoted zone TLS version 1.2 (a YAML number)', { files: () => ({ 'dev.yaml': withEdge('edge.minTlsVersion', 1.2) }), field: 'edge.minTlsVersion', message: /^YAML reads the unquoted 1\.2 as a number; write the version in quotes, "1\.2" or "1\.3"/ }],
    ['an unquoted hostname TLS version 1.3', { files: () => ({ 'dev.yaml': withEdge('hostnames[0].minTlsVersion', 1.3) }), field: 'hostnames[0].minTlsVersion', message: /^YAML reads the unquoted 1\.3 as a number/ }],
    ['an env file named Dev.yaml beside dev.yaml (never offered as a valid name)', { files: () => ({ 'dev.yaml': dev, 'Dev.yaml': dev }), file: 'Dev.yaml', field: '(file)', message: /^"Dev" is not an environment name \(2-16 lowercase letters and digits, starting with a letter\); this file would be ignored: rename it or move it out of the folder$/ }],
    ['an env file named qa-eu.yaml', { files: () => ({ 'dev.yaml': dev, 'qa-eu.yaml': dev }), file: 'qa-eu.yaml', field: '(file)', message: /^"qa-eu" is not an environment name .*rename it to "qaeu\.yaml"/ }],
    ['a misspelt pin list (expectedCaKey) that would be ignored', { files: () => ({ 'dev.yaml': byoDev(undefined, { expectedCaKey: ourPins() }), ...ourFiles() }), field: 'pki.expectedCaKey', message: /^unknown field; allowed here: mode, caBundle, expectedCaKeys/ }],
    ['a pin list on a generated PKI (it pins itself)', { files: () => ({ 'dev.yaml': withEdge('pki', { mode: 'generated', expectedCaKeys: ourPins() }) }), field: 'pki.expectedCaKeys', message: /^unknown field; allowed here: mode, organization/ }],
    ['a misspelt origin pin list', { files: () => ({ 'dev.yaml': withEdge('origin', { additionalTrustedCas: [], trustedCaKeys: [] }) }), field: 'origin.trustedCaKeys', message: /^unknown field; allowed here: .*additionalTrustedCas, expectedCaKeys/ }],
  ],
};

/** Runs the real synthesize() through the command runner: exit code and stderr. */
async function synthThroughRunner(envsDir: string, outdir: string): Promise<{ code: number; stderr: string }> {
  const command = defineCommand({
    name: 'npm run synth',
    summary: 'the real synthesize() over a test envs folder',
    options: {},
    configErrorNote: 'Nothing was written.',
    run() {
      synthesize({ outdir, envsDir, selector: 'dev' });
      return EXIT.ok;
    },
  });
  let stderr = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await executeCommand(command, [], {}), stderr };
  } finally {
    spy.mockRestore();
  }
}

describeOpenssl.each(Object.entries(classes))('hostile %s', (_class, cases) => {
  it.each(cases)('%s: exit 1, one line per problem naming the file and field, nothing changed', async (_what, c) => {
    const project = mkdtempSync(join(tmpdir(), 'edge-pins-project-'));
    try {
      const envs = join(project, 'envs');
      mkdirSync(envs);
      for (const [name, content] of Object.entries(c.files())) writeFileSync(join(envs, name), typeof content === 'string' ? content : stringify(content));
      const outdir = join(project, 'cdktf.out');
      mkdirSync(outdir);
      writeFileSync(join(outdir, 'sentinel'), 'previous synth');
      const before = treeSnapshot(project);

      const r = await synthThroughRunner(envs, outdir);

      expect(r.code).toBe(EXIT.failure);
      const lines = r.stderr.trim().split('\n');
      const expected = c.lines ?? 1;
      const problems = expected === 1 ? [lines[0].replace(/^invalid configuration: /, '')] : lines.slice(1, 1 + expected).map((l) => l.trim());
      // Matched against the whole output, so a failure shows every line.
      expect(r.stderr).toMatch(expected > 1 ? new RegExp(`^invalid configuration \\(${expected} problems\\):\n`) : /^invalid configuration: /);
      const prefix = new RegExp(`^\\S*${escape(c.file ?? 'dev.yaml')}: ${escape(c.field)}: `);
      for (const p of problems) expect(p).toMatch(prefix);
      expect(problems[0].replace(prefix, '')).toMatch(typeof c.message === 'function' ? c.message() : c.message);
      expect(lines.slice(expected === 1 ? 1 : 1 + expected)).toEqual(['Nothing was written.']);
      if (c.never) expect(r.stderr).not.toContain(c.never);
      expect(treeSnapshot(project)).toEqual(before);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 60_000);
});

describeOpenssl('pinned trust that must still work', () => {
  it('a bundle whose every CA is pinned synthesizes, the pins in any order', async () => {
    const project = mkdtempSync(join(tmpdir(), 'edge-pins-ok-'));
    try {
      const envs = join(project, 'envs');
      mkdirSync(envs);
      writeFileSync(join(envs, 'dev.yaml'), stringify(byoDev([...ourPins()].reverse())));
      for (const [name, content] of Object.entries(ourFiles())) writeFileSync(join(envs, name), content);
      const r = await synthThroughRunner(envs, join(project, 'cdktf.out'));
      expect(r).toEqual({ code: EXIT.ok, stderr: '' });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 120_000);

  it('one key has one pin whatever its encoding: our intermediate re-encoded keeps the pin of the original', () => {
    const reencoded = withKey(new X509Certificate(fx.intermediate.certPem), reencodeKey(spkiOf(fx.intermediate), 'ec-compressed'), createPrivateKey(fx.root.keyPem));
    expect(reencoded.raw.equals(new X509Certificate(fx.intermediate.certPem).raw)).toBe(false);
    expect(pinOf(reencoded)).toBe(pinOf(fx.intermediate));
  });
});

it('counts the hostile cases of these classes', () => {
  const counts = Object.fromEntries(Object.entries(classes).map(([name, cases]) => [name, cases.length]));
  console.log(`pins-hostile cases per class: ${JSON.stringify(counts)}`);
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(35);
});
