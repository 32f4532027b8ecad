import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../../lib/errors';
import { synthesize } from '../../tools/synth/synth';
import { baseEnvironment, envDir, withField } from '../support/env-files';

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
