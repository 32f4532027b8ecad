import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadEnvironment } from '../../envs/load';
import { ConfigError } from '../../lib/errors';
import { synthesize } from '../../tools/synth/synth';
import { baseEnvironment, envDir, prodWithKeyless, TEST_SIGNING_KEY_FINGERPRINT, withField } from '../support/env-files';
import { synthStacks } from '../support/synth';

/**
 * Environment files written by someone careless or hostile. Each must be refused with
 * one clear problem naming dev.yaml, the field and what is accepted, and synthesis
 * must leave the previous output exactly as it was. (test/envs.test.ts holds the
 * foundation's basic cases; PEM and subnet cases live with their modules.)
 */
const base = baseEnvironment('dev');
const text = stringify(base);
const hostnameAs = (name: string) => withField(base, 'hostnames[0].name', name);
const aliasBomb =
  'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

// [what, file content, field the problem must name, message it must contain]
const cases: Array<[string, Record<string, unknown> | string | Buffer, string, RegExp]> = [
  ['JSON with a trailing comma', '{"name": "dev", "aws": {"region": "eu-west-1",}', '(line 1, column', /YAML syntax error: Flow map must end with a \}/],
  ['tabs used for indentation', text.replace('  region', '\tregion'), '(line 3, column 1)', /Tabs are not allowed as indentation/],
  ['an alias bomb', aliasBomb + text, '(file)', /too many YAML alias expansions/],
  ['a null where a string is expected', withField(base, 'aws.region', null), 'aws.region', /expected string, received null/],
  ['an empty value', text.replace(/region: eu-west-1\n {2}accountId/, 'region:\n  accountId'), 'aws.region', /expected string, received null/],
  ['a huge array in an unknown field', `${text}extra: [${Array(5000).fill('1').join(',')}]\n`, 'extra', /unknown field; allowed here: name, aws/],
  ['a number where a hostname is expected', withField(base, 'cloudflare.zoneName', 12345), 'cloudflare.zoneName', /expected string, received number \(got 12345\)/],
  ['an account id written as an octal-looking number', text.replace('accountId: "111111111111"', 'accountId: 0111111111111'), 'aws.accountId', /expected string, received number/],
  ['a boolean where a list is expected', withField(base, 'hostnames', true), 'hostnames', /expected array, received boolean/],
  ['a list where a mapping is expected', withField(base, 'aws', ['eu-west-1']), 'aws', /expected object, received array/],
  ['a complex (non-string) map key', `${text}? [a, b]\n: 1\n`, '(top level)', /map key is not a plain string/],
  ['a __proto__ key at the top', `${text}__proto__:\n  polluted: true\n`, '__proto__', /not allowed as a key \(it names a JavaScript prototype\)/],
  ['a __proto__ key inside tags', text.replace('tags:\n', 'tags:\n  __proto__:\n    polluted: "yes"\n'), 'tags.__proto__', /not allowed as a key/],
  ['a constructor key inside a hostname', text.replace('- name: api.dev.example.com', '- name: api.dev.example.com\n    constructor: x'), 'hostnames[0].constructor', /not allowed as a key/],
  ['a JS function tag', text.replace('region: eu-west-1', 'region: !!js/function "x"'), '(line 3, column', /Unresolved tag: tag:yaml.org,2002:js\/function/],
  ['a custom tag', text.replace('zoneName: example.com', 'zoneName: !env ZONE'), '(line', /Unresolved tag: !env/],
  ['a binary value', text.replace('region: eu-west-1', 'region: !!binary ZXUtd2VzdC0x'), 'aws.region', /expected string/],
  ['two YAML documents in one file', `${text}---\nname: prod\n`, '(line', /multiple documents/],
  ['a Windows-1252 file', Buffer.from(text.replace('platform-team', 'plateforme-\u00e9quipe'), 'latin1'), '(file)', /not valid UTF-8/],
  ['a UTF-16 file', Buffer.from(`\ufeff${text}`, 'utf16le'), '(file)', /not valid UTF-8/],
  ['deeply nested garbage', `${text}x: ${'['.repeat(3000)}${']'.repeat(3000)}\n`, '(line', /YAML syntax error/],
  ['an empty file', '', '(file)', /expected a YAML mapping with the fields name, aws/],
  ['a bare scalar', 'just a string\n', '(file)', /expected a YAML mapping/],
  ['a hostname with uppercase letters', hostnameAs('API.dev.example.com'), 'hostnames[0].name', /expected a lowercase DNS name/],
  ['a hostname with a trailing dot', hostnameAs('api.dev.example.com.'), 'hostnames[0].name', /no trailing dot/],
  ['an IDN hostname (not punycode)', hostnameAs('\u00e4pi.dev.example.com'), 'hostnames[0].name', /expected a lowercase DNS name/],
  ['a hostname label longer than 63 characters', hostnameAs(`${'a'.repeat(64)}.dev.example.com`), 'hostnames[0].name', /expected a lowercase DNS name/],
  ['a hostname with a space', hostnameAs('api .dev.example.com'), 'hostnames[0].name', /expected a lowercase DNS name/],
  ['a hostname that only ends like the zone', hostnameAs('api.notexample.com'), 'hostnames[0].name', /outside the zone "example.com"/],
  ['a wildcard zone name', withField(base, 'cloudflare.zoneName', '*.example.com'), 'cloudflare.zoneName', /no wildcard/],
  ['an empty hostname entry', text.replace(/hostnames:[\s\S]*/, 'hostnames:\n  -\n'), 'hostnames[0]', /expected object, received null/],
  ['a NUL byte in a tag key', text.replace('Owner', 'Ow\u0000ner'), 'tags.Ow\u0000ner', /expected a tag key/],
  ['an overlong tag value', withField(base, 'tags.Owner', 'x'.repeat(300)), 'tags.Owner', /at most 256 characters/],
  ['a duplicated nested key', text.replace('  zoneName: example.com', '  zoneName: example.com\n  zoneName: example.org'), '(line', /Map keys must be unique/],
  ['a YAML 1.1 boolean as the name', withField(base, 'name', true), 'name', /expected string, received boolean/],
  ['an unknown field nested in a hostname', withField(base, 'hostnames[0].apiShieldd', true), 'hostnames[0].apiShieldd', /unknown field; allowed here: name/],
  ['an endpoint that is not http(s)', withField(withField(base, 'backend', { type: 'local' }), 'aws.endpoint', 'file:///etc/passwd'), 'aws.endpoint', /expected an http\(s\) URL/],
  ['a very large file of valid YAML', `${text}${'# padding\n'.repeat(30000)}`, '(file)', /at most 262144 bytes/],
];

describe('a hostile environment file', () => {
  let out: string;
  let outdir: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'edge-hostile-'));
    outdir = join(out, 'cdktf.out');
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'sentinel'), 'previous synth');
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s: refused with the file and field named, nothing written', (_what, content, field, message) => {
    const envs = envDir({ dev: content });
    try {
      let error: unknown;
      try {
        synthesize({ outdir, envsDir: envs, selector: 'dev' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems.length).toBeGreaterThanOrEqual(1);
      const [first] = problems;
      expect(first.file).toMatch(/dev\.yaml$/);
      expect(first.field.startsWith(field)).toBe(true);
      expect(first.message).toMatch(message);
      // The message stays short even when the input is huge.
      expect((error as ConfigError).message.length).toBeLessThan(2000);
      expect(readdirSync(out)).toEqual(['cdktf.out']);
      expect(readdirSync(outdir)).toEqual(['sentinel']);
      expect(readFileSync(join(outdir, 'sentinel'), 'utf8')).toBe('previous synth');
    } finally {
      rmSync(envs, { recursive: true, force: true });
    }
  });

  it('never pollutes Object.prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('harmless variations of a good file', () => {
  it.each<[string, string]>([
    ['a UTF-8 byte order mark', `\ufeff${text}`],
    ['CRLF line endings', text.replace(/\n/g, '\r\n')],
    ['anchors and aliases used sparingly', text.replace('tags:\n  Owner: platform-team', 'tags: &t\n  Owner: platform-team')],
    ['a punycode hostname', stringify(withField(base, 'hostnames[0].name', 'xn--pi-via.dev.example.com'))],
  ])('%s still loads', (_what, content) => {
    const out = mkdtempSync(join(tmpdir(), 'edge-hostile-ok-'));
    const envs = envDir({ dev: content });
    try {
      expect(synthesize({ outdir: join(out, 'cdktf.out'), envsDir: envs, selector: 'dev' }).stacks).toContain('dev-origin');
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(envs, { recursive: true, force: true });
    }
  });
});

/*
 * The cases below are organised by class. Each writes an env folder (and whatever files
 * the env file names) under a fresh project folder, synthesizes `dev`, and expects a
 * ConfigError whose problems include one naming the file, the field and the reason, with
 * the previous output untouched. No case may hang: each has a 20-second budget, far
 * above the milliseconds a refusal takes (an unbounded read of /dev/zero would not end).
 */
interface ProjectCase {
  /** Writes the env folder's files; `envs` is `<project>/envs`. */
  readonly setup: (envs: string, project: string) => void;
  /** The file the problem must name (a suffix). @default "dev.yaml" */
  readonly file?: string;
  readonly field: string;
  readonly message: RegExp;
  /** Environments to select. @default "dev" */
  readonly selector?: string;
}

const writeDev = (doc: Record<string, unknown> | string) => (envs: string) => writeFileSync(join(envs, 'dev.yaml'), typeof doc === 'string' ? doc : stringify(doc));
const byoDev = (caBundle: string) =>
  withField(base, 'pki', { mode: 'byo', caBundle, originPullClient: { certificate: caBundle, privateKey: { terraformVariable: 'origin_pull_key' } } });
const withFiles = (doc: Record<string, unknown>, make: (envs: string, project: string) => void) => (envs: string, project: string) => {
  make(envs, project);
  writeDev(doc)(envs);
};
const mkfifo = (path: string) => {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
};
const tags = (t: Record<string, string>) => withField(base, 'tags', t);
const keylessDev = (changes: Record<string, unknown>) =>
  Object.entries(changes).reduce((doc, [path, value]) => withField(doc, path, value), withField(base, 'keyless', { ...prodWithKeyless().keyless }));
const twoEnvs = (staging: Record<string, unknown>) => (envs: string) => {
  writeDev(base)(envs);
  writeFileSync(join(envs, 'staging.yaml'), stringify(staging));
};
const stagingLike = (changes: Record<string, unknown>) =>
  Object.entries({ name: 'staging', 'backend.keyPrefix': 'edge-mtls/staging', 'cloudflare.zoneId': 'ffeeddccbbaa99887766554433221100', 'hostnames[0].name': 'api.staging.example.com', ...changes }).reduce(
    (doc, [path, value]) => withField(doc, path, value),
    base,
  );

const classes: Record<string, Array<[string, ProjectCase]>> = {
  'files that are not regular files': [
    ['the env file is a symlink to /dev/zero', { setup: (envs) => symlinkSync('/dev/zero', join(envs, 'dev.yaml')), field: '(file)', message: /is a device, not a regular file/ }],
    ['the env file is a FIFO nobody writes to', { setup: (envs) => mkfifo(join(envs, 'dev.yaml')), field: '(file)', message: /is a FIFO \(named pipe\), not a regular file/ }],
    ['the env file is a directory named dev.yaml', { setup: (envs) => mkdirSync(join(envs, 'dev.yaml')), field: '(file)', message: /is a directory/ }],
    ['the env file is a symlink loop', { setup: (envs) => symlinkSync(join(envs, 'dev.yaml'), join(envs, 'dev.yaml')), field: '(file)', message: /symlink loop/ }],
    ['the env file is a dangling symlink', { setup: (envs) => symlinkSync(join(envs, 'gone.txt'), join(envs, 'dev.yaml')), field: '(file)', message: /does not exist/ }],
    ['the env file is /dev/null', { setup: (envs) => symlinkSync('/dev/null', join(envs, 'dev.yaml')), field: '(file)', message: /is a device/ }],
    ['a PEM file that is a symlink to /dev/zero', { setup: withFiles(byoDev('zero.pem'), (envs) => symlinkSync('/dev/zero', join(envs, 'zero.pem'))), field: 'pki.caBundle', message: /zero\.pem: resolves to \/dev\/zero, outside the project folder/ }],
    ['a PEM file that is a FIFO', { setup: withFiles(byoDev('fifo.pem'), (envs) => mkfifo(join(envs, 'fifo.pem'))), field: 'pki.caBundle', message: /fifo\.pem: is a FIFO \(named pipe\), not a regular file/ }],
    ['a directory named ca.pem', { setup: withFiles(byoDev('ca.pem'), (envs) => mkdirSync(join(envs, 'ca.pem'))), field: 'pki.caBundle', message: /ca\.pem: is a directory/ }],
    ['a PEM file of 2 MiB', { setup: withFiles(byoDev('huge.pem'), (envs) => writeFileSync(join(envs, 'huge.pem'), Buffer.alloc(2 * 1024 * 1024, 65))), field: 'pki.caBundle', message: /huge\.pem: is 2097152 bytes; at most 1048576 bytes are accepted/ }],
    ['a PEM symlink to /dev/zero with the outside-project switch set', { setup: withFiles(withField(byoDev('zero.pem'), 'allowPemFilesOutsideProject', 'the CA bundle is provisioned by the host image'), (envs) => symlinkSync('/dev/zero', join(envs, 'zero.pem'))), field: 'pki.caBundle', message: /zero\.pem: is a device, not a regular file/ }],
    ['an extra trusted CA that is a FIFO', { setup: withFiles(withField(base, 'origin', { additionalTrustedCas: ['old.pem'] }), (envs) => mkfifo(join(envs, 'old.pem'))), field: 'origin.additionalTrustedCas[0]', message: /old\.pem: is a FIFO/ }],
  ],
  'PEM paths that leave the project folder': [
    ['an absolute path to a system CA', { setup: writeDev(byoDev('/etc/ssl/certs/ca-certificates.crt')), field: 'pki.caBundle', message: /resolves to \/etc\/ssl\/certs\/ca-certificates\.crt, outside the project folder/ }],
    ['a relative path climbing out with ../', { setup: writeDev(byoDev('../../../../../../../../etc/ssl/certs/ca-certificates.crt')), field: 'pki.caBundle', message: /outside the project folder/ }],
    ['a symlink inside the project pointing outside', { setup: withFiles(byoDev('innocent.pem'), (envs) => symlinkSync('/etc/ssl/certs/ca-certificates.crt', join(envs, 'innocent.pem'))), field: 'pki.caBundle', message: /innocent\.pem: resolves to \/etc\/ssl\/certs\/ca-certificates\.crt, outside the project folder/ }],
    ['a symlinked folder inside the project pointing outside', { setup: withFiles(byoDev('certs/ca-certificates.crt'), (envs) => symlinkSync('/etc/ssl/certs', join(envs, 'certs'))), field: 'pki.caBundle', message: /outside the project folder/ }],
    ['an extra trusted CA outside the project', { setup: writeDev(withField(base, 'origin', { additionalTrustedCas: ['/etc/ssl/certs/ca-certificates.crt'] })), field: 'origin.additionalTrustedCas[0]', message: /outside the project folder/ }],
    ['a keyless certificate outside the project', { setup: writeDev(keylessDev({ 'keyless.certificate': { file: '/etc/ssl/certs/ca-certificates.crt' } })), field: 'keyless.certificate.file', message: /outside the project folder/ }],
    ['the outside-project switch with no real reason', { setup: writeDev(withField(byoDev('/etc/ssl/certs/ca-certificates.crt'), 'allowPemFilesOutsideProject', 'because')), field: 'allowPemFilesOutsideProject', message: /expected the reason PEM files must live outside the project folder/ }],
  ],
  'YAML dialects and file names': [
    ['a %YAML 1.1 directive (where `off` would be false)', { setup: writeDev(`%YAML 1.1\n---\n${text}`), field: '(line 1)', message: /%YAML 1\.1 directive is not accepted; environment files are YAML 1\.2/ }],
    ['a %YAML 1.3 directive', { setup: writeDev(`%YAML 1.3\n---\n${text}`), field: '(line 1', message: /YAML syntax error: Unsupported YAML version 1\.3/ }],
    ['an unknown directive', { setup: writeDev(`%FOO bar\n---\n${text}`), field: '(line 1', message: /YAML syntax error: .*directive/i }],
    ['a .yml file beside the .yaml ones', { setup: (envs) => { writeDev(base)(envs); writeFileSync(join(envs, 'staging.yml'), stringify(stagingLike({}))); }, file: 'staging.yml', field: '(file)', message: /must end in "\.yaml"; this one would be ignored: rename it to "staging\.yaml"/ }],
    ['a .yml file and a broken .yaml file, both reported', { setup: (envs) => { writeDev(withField(base, 'aws.region', 'moon-1'))(envs); writeFileSync(join(envs, 'staging.yml'), text); }, field: 'aws.region', message: /expected an AWS region/ }],
    ['the only env file spelled dev.yml', { setup: (envs) => writeFileSync(join(envs, 'dev.yml'), text), file: 'dev.yml', field: '(file)', message: /rename it to "dev\.yaml"/ }],
    ['an upper-case .YAML extension', { setup: (envs) => { writeDev(base)(envs); writeFileSync(join(envs, 'qa.YAML'), text); }, file: 'qa.YAML', field: '(file)', message: /must end in "\.yaml"/ }],
  ],
  'hostnames that are not DNS names': [
    ['an IPv4 address', { setup: writeDev(hostnameAs('192.0.2.10')), field: 'hostnames[0].name', message: /not an IP address/ }],
    ['an IPv4 address as the zone', { setup: writeDev(withField(base, 'cloudflare.zoneName', '192.0.2.10')), field: 'cloudflare.zoneName', message: /not an IP address/ }],
    ['a numeric top-level domain', { setup: writeDev(hostnameAs('api.example.123')), field: 'hostnames[0].name', message: /expected a lowercase DNS name/ }],
    ['punycode that does not decode', { setup: writeDev(hostnameAs('xn--zz.example.com')), field: 'hostnames[0].name', message: /xn-- labels valid punycode/ }],
    ['an empty punycode label', { setup: writeDev(hostnameAs('xn--.example.com')), field: 'hostnames[0].name', message: /xn-- labels valid punycode/ }],
    ['a reserved "--" label that is not punycode', { setup: writeDev(hostnameAs('ab--cd.example.com')), field: 'hostnames[0].name', message: /expected a lowercase DNS name/ }],
    ['a keyless origin host that is an IP address', { setup: writeDev(keylessDev({ 'keyless.originHost': { subnet: 'private-a', privateIp: '10.60.1.20', hostname: '10.60.1.20' } })), field: 'keyless.originHost.hostname', message: /not an IP address/ }],
  ],
  'tags that AWS or the project reserve': [
    ['a tag key starting with aws:', { setup: writeDev(tags({ 'aws:cloudformation:stack-name': 'x' })), field: 'tags.aws:cloudformation:stack-name', message: /reserved by AWS/ }],
    ['a tag key starting with AWS: in capitals', { setup: writeDev(tags({ 'AWS:foo': 'x' })), field: 'tags.AWS:foo', message: /reserved by AWS/ }],
    ['an Environment tag overriding the project', { setup: writeDev(tags({ Environment: 'prod' })), field: 'tags.Environment', message: /is set by the project itself/ }],
    ['a ManagedBy tag in another case', { setup: writeDev(tags({ managedby: 'terraform' })), field: 'tags.managedby', message: /is set by the project itself/ }],
    ['a Stack tag', { setup: writeDev(tags({ Stack: 'prod-origin' })), field: 'tags.Stack', message: /is set by the project itself/ }],
    ['a Role tag that policy rules read', { setup: writeDev(tags({ Role: 'demo-origin' })), field: 'tags.Role', message: /is set by the project itself/ }],
    ['51 tags', { setup: writeDev(tags(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`Tag${i}`, 'x'])))), field: 'tags', message: /expected at most 44 tags: AWS allows 50 per resource/ }],
    ['45 tags, which with the project tags pass 50', { setup: writeDev(tags(Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`Tag${i}`, 'x'])))), field: 'tags', message: /expected at most 44 tags/ }],
  ],
  'Terraform expressions and CDKTF tokens': [
    ['a tag value calling file()', { setup: writeDev(withField(base, 'tags.Owner', '${file("/etc/hostname")}')), field: 'tags.Owner', message: /Terraform interpolation/ }],
    ['a tag value that is a CDKTF token', { setup: writeDev(withField(base, 'tags.Owner', '${TfToken[TOKEN.1]}')), field: 'tags.Owner', message: /Terraform interpolation/ }],
    ['a tag key with an interpolation', { setup: writeDev(tags({ '${var.x}': 'y' })), field: 'tags.${var.x}', message: /the key contains a Terraform interpolation/ }],
    ['a template directive in the organisation', { setup: writeDev(withField(base, 'pki', { mode: 'generated', organization: '%{ for x in y }x%{ endfor }' })), field: 'pki.organization', message: /Terraform template directive/ }],
    ['a CDKTF list token as a common name', { setup: writeDev(withField(base, 'hostnames[0].access', { commonNames: ['#{TfToken[TOKEN.2]}'] })), field: 'hostnames[0].access.commonNames[0]', message: /CDKTF list token/ }],
    ['a CDKTF number token as a port', { setup: writeDev(keylessDev({ 'keyless.port': -1.8881545897087626e289 })), field: 'keyless.port', message: /is not a plain number/ }],
  ],
  'environments that collide across files': [
    ['a zone shared with an environment that is not selected', { setup: twoEnvs(stagingLike({ 'cloudflare.zoneId': base.cloudflare.zoneId })), file: 'staging.yaml', field: 'cloudflare.zoneId', message: /is also the zone of .*dev\.yaml/ }],
    ['a hostname claimed by an environment that is not selected', { setup: twoEnvs(stagingLike({ 'hostnames[0].name': base.hostnames[0].name })), file: 'staging.yaml', field: 'hostnames[0].name', message: /is also a hostname of .*dev\.yaml/ }],
    ['a keyless origin hostname claimed by another environment', { setup: twoEnvs(stagingLike({ keyless: keylessDev({ 'keyless.originHost': { subnet: 'private-a', privateIp: '10.60.1.20', hostname: base.hostnames[0].name } }).keyless, 'keyless.packageSigningKeyFingerprint': TEST_SIGNING_KEY_FINGERPRINT })), file: 'staging.yaml', field: 'keyless.originHost.hostname', message: /is also a hostname of .*dev\.yaml/ }],
    ['a broken env file that is not selected', { setup: twoEnvs(stagingLike({ 'aws.region': 'moon-1' })), file: 'staging.yaml', field: 'aws.region', message: /expected an AWS region/ }],
  ],
  'keyless hosts that would only fail at boot': [
    ['the all-zero signing key fingerprint outside local', { setup: writeDev(keylessDev({ 'keyless.packageSigningKeyFingerprint': '0'.repeat(40) })), field: 'keyless.packageSigningKeyFingerprint', message: /all-zero placeholder/ }],
    ['no signing key fingerprint at all', { setup: writeDev(keylessDev({ 'keyless.packageSigningKeyFingerprint': undefined })), field: 'keyless.packageSigningKeyFingerprint', message: /missing required field/ }],
    ['a fingerprint with spaces as gpg prints it', { setup: writeDev(keylessDev({ 'keyless.packageSigningKeyFingerprint': '0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567' })), field: 'keyless.packageSigningKeyFingerprint', message: /40-character uppercase hexadecimal/ }],
    ['an origin host outside the zone', { setup: writeDev(keylessDev({ 'keyless.originHost': { subnet: 'private-a', privateIp: '10.60.1.20', hostname: 'www.example.net' } })), field: 'keyless.originHost.hostname', message: /outside the zone "example\.com"/ }],
    ['imported-own-ca without a server certificate in byo mode', { setup: writeDev(withField(byoDev('ca.pem'), 'origin', { serverCertificate: 'imported-own-ca' })), field: 'pki.serverCertificate', message: /missing: origin\.serverCertificate "imported-own-ca" needs/ }],
  ],
};

describe.each(Object.entries(classes))('hostile input, class: %s', (_class, cases) => {
  it.each(cases)('%s: one clear problem, nothing written', (_what, c) => {
    const project = mkdtempSync(join(tmpdir(), 'edge-hostile-project-'));
    const envs = join(project, 'envs');
    mkdirSync(envs);
    const outdir = join(project, 'cdktf.out');
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'sentinel'), 'previous synth');
    try {
      c.setup(envs, project);
      const started = Date.now();
      let error: unknown;
      try {
        synthesize({ outdir, envsDir: envs, selector: c.selector ?? 'dev' });
      } catch (e) {
        error = e;
      }
      expect(Date.now() - started).toBeLessThan(15000);
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toContainEqual(
        expect.objectContaining({ file: expect.stringMatching(new RegExp(`${(c.file ?? 'dev.yaml').replace('.', '\\.')}$`)), field: expect.stringMatching(new RegExp(`^${c.field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)), message: expect.stringMatching(c.message) }),
      );
      // One line each, never a stack trace or a dump of the input.
      for (const p of problems) expect(`${p.file}: ${p.field}: ${p.message}`).not.toMatch(/\n|\s+at \S+:\d+/);
      expect((error as ConfigError).message.length).toBeLessThan(4000);
      expect(readdirSync(outdir)).toEqual(['sentinel']);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 20000);
});

describe('hostile input that must still work', () => {
  it('two Access common-name lists that differ only in characters a construct id drops get two policies, not a crash', () => {
    const doc = withField(
      withField(base, 'hostnames', [
        { name: 'a.example.com', access: { commonNames: ['partner a'] } },
        { name: 'b.example.com', access: { commonNames: ['partner_a'] } },
        { name: 'c.example.com', access: { commonNames: ['partner-a', 'b'] } },
        { name: 'd.example.com', access: { commonNames: ['partner-a,b'] } },
      ]),
      'name',
      'dev',
    );
    const envs = envDir({ dev: doc });
    try {
      const edge = synthStacks('dev', envs).get('dev-edge')!;
      const policies = Object.values<any>(edge.resource.cloudflare_zero_trust_access_policy);
      expect(policies.map((p) => p.include.map((i: any) => i.common_name.common_name).join('|')).sort()).toEqual(['b|partner-a', 'partner a', 'partner-a,b', 'partner_a']);
    } finally {
      rmSync(envs, { recursive: true, force: true });
    }
  });

  it('YAML 1.2 keeps `off` a string where a string is expected', () => {
    const envs = envDir({ dev: withField(base, 'tags.Mode', 'off') });
    try {
      expect(loadEnvironment('dev', envs).config.tags.Mode).toBe('off');
    } finally {
      rmSync(envs, { recursive: true, force: true });
    }
  });
});

it('the hostile classes hold at least 40 cases of their own', () => {
  const counts = Object.fromEntries(Object.entries(classes).map(([name, cases]) => [name, cases.length]));
  console.log(`hostile input cases per class: ${JSON.stringify({ 'malformed env files (original table)': cases.length, ...counts })}`);
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
});
