import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listEnvironments, loadEnvironment, selectEnvironments } from '../../envs/load';
import { ENV_NAME } from '../../envs/schema';
import { fromRoot } from '../../lib/paths';
import { resolveEnvironments } from '../../envs/resolve';
import { ConfigError } from '../../lib/errors';
import { synthesize } from '../../tools/synth/synth';
import { baseEnvironment, envDir, NEVER_AN_ENVIRONMENT, withField } from '../support/env-files';
import { scratchDir } from '../support/scratch';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.field}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError, got success');
}

describe('the environment files in envs/', () => {
  it('are every envs/*.yaml, sorted, at least one deployed environment and the emulator one', () => {
    const files = readdirSync(fromRoot('envs')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length));
    expect(listEnvironments()).toEqual([...files].sort());
    expect(listEnvironments()).toContain('local');
    expect(listEnvironments().filter((e) => loadEnvironment(e).config.backend.type === 's3').length).toBeGreaterThan(0);
  });

  it.each(listEnvironments())('%s loads and gets defaults filled in', (name) => {
    const { config } = loadEnvironment(name);
    expect(config.name).toBe(name);
    expect(config.hostnames.length).toBeGreaterThan(0);
    expect(config.keyless.enabled).toBe(typeof config.keyless.enabled === 'boolean' ? config.keyless.enabled : false);
  });

  it('keep to reserved names so nothing real is touched by accident', () => {
    for (const name of listEnvironments()) {
      const { config } = loadEnvironment(name);
      expect(config.cloudflare.zoneName).toMatch(/(^|\.)example\.(com|org|net|test)$/);
    }
  });
});

describe('a malformed environment file', () => {
  const base = baseEnvironment('dev');
  const load = (doc: Record<string, unknown> | string | Buffer, name = 'dev') => () => loadEnvironment(name, envDir({ [name]: doc }));

  // Each case: the broken file, and the field + words its one error must name.
  const cases: Array<[string, Record<string, unknown> | string | Buffer, string, RegExp]> = [
    ['a missing required field', withField(base, 'cloudflare.zoneId', undefined), 'cloudflare.zoneId', /missing required field/],
    ['a wrong type', withField(base, 'hostnames', 'api.dev.example.com'), 'hostnames', /expected array/],
    ['an unknown key', withField(base, 'cloudflare.zoneNmae', 'example.com'), 'cloudflare.zoneNmae', /unknown field; allowed here: accountId, zoneId, zoneName/],
    ['an account id that is a number', withField(base, 'aws.accountId', 111111111111), 'aws.accountId', /expected string/],
    ['a malformed zone id', withField(base, 'cloudflare.zoneId', 'not-hex'), 'cloudflare.zoneId', /32 lowercase hexadecimal characters \(got "not-hex"\)/],
    ['a bad hostname', withField(base, 'hostnames[0].name', 'api..example.com'), 'hostnames[0].name', /lowercase DNS name/],
    ['a wildcard hostname', withField(base, 'hostnames[0].name', '*.dev.example.com'), 'hostnames[0].name', /no wildcard/],
    ['a hostname outside the zone', withField(base, 'hostnames[0].name', 'api.example.net'), 'hostnames[0].name', /outside the zone "example.com"/],
    ['a duplicated hostname', withField(base, 'hostnames', [{ name: 'a.example.com' }, { name: 'a.example.com' }]), 'hostnames[1].name', /listed twice/],
    ['no hostnames at all', withField(base, 'hostnames', []), 'hostnames', /at least one protected hostname/],
    ['a bad region', withField(base, 'aws.region', 'europe'), 'aws.region', /AWS region name/],
    ['an unknown backend type', withField(base, 'backend.type', 'gcs'), 'backend.type', /"s3" or "local"/],
    ['a name that does not match the file', withField(base, 'name', 'staging'), 'name', /must match/],
    ['an emulator endpoint on a real backend', withField(base, 'aws.endpoint', 'http://127.0.0.1:5000'), 'aws.endpoint', /only allowed with backend.type "local"/],
    ['known emulator gaps in a real environment', withField(base, 'drift', { knownEmulatorGaps: [{ resourceType: 'aws_s3_bucket', attribute: 'tags', reason: 'hides tag drift on purpose' }] }), 'drift.knownEmulatorGaps', /only allowed when aws.endpoint names an emulator/],
    ['a known emulator gap without a real reason', withField(baseEnvironment('local'), 'drift.knownEmulatorGaps', [{ resourceType: 'aws_s3_bucket', attribute: 'tags', reason: 'moto' }]), 'drift.knownEmulatorGaps[0].reason', /at least 20 characters/],
    ['a gap without attribute (which once left the resource out: capabilities decide that now)', withField(baseEnvironment('local'), 'drift.knownEmulatorGaps', [{ resourceType: 'aws_s3_bucket_lifecycle_configuration', reason: 'would stop expiring old versions' }]), 'drift.knownEmulatorGaps[0].attribute', /expected the attribute that differs; a gap only names a difference for drift reports, and what an emulator leaves out is decided by its capabilities \(envs\/capabilities\.ts\)/],
    ['YAML syntax errors', 'name: dev\naws: [unclosed\n', '(line', /YAML syntax error/],
    ['a duplicated YAML key', 'name: dev\nname: dev\n', '(line', /YAML syntax error: Map keys must be unique/],
    ['a file that is not UTF-8', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]), '(file)', /not valid UTF-8/],
    ['a list instead of a mapping', '- name: dev\n', '(file)', /expected a YAML mapping/],
    ['a very large file', `# ${'x'.repeat(300 * 1024)}\n`, '(file)', /at most 262144 bytes/],
  ];

  it.each(cases)('%s names the file and the field', (_what, doc, field, message) => {
    const problems = problemsOf(load(doc));
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(field)).toBe(true);
    expect(problems[0]).toMatch(message);
  });

  it('reports every problem at once, each with the file name', () => {
    const doc = withField(withField(base, 'aws.region', 'nowhere'), 'cloudflare.zoneId', 'x');
    const dir = envDir({ dev: doc });
    try {
      loadEnvironment('dev', dir);
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const error = e as ConfigError;
      expect(error.problems.map((p) => p.field).sort()).toEqual(['aws.region', 'cloudflare.zoneId']);
      expect(error.problems.every((p) => p.file.endsWith('dev.yaml'))).toBe(true);
      expect(error.message).toContain('2 problems');
    }
  });

  it('an unknown environment name lists the ones that exist', () => {
    // Not a valid environment name at all, so no env file can ever make it known.
    const unknown = NEVER_AN_ENVIRONMENT;
    expect(ENV_NAME.test(unknown)).toBe(false);
    const existing = listEnvironments().join(', ');
    expect(problemsOf(() => selectEnvironments(`dev,${unknown}`))).toEqual([
      `${unknown}: unknown environment "${unknown}"; expected a comma-separated list of: ${existing}`,
    ]);
    expect(problemsOf(() => loadEnvironment(unknown))[0]).toContain(`unknown environment "${unknown}"; expected one of: ${existing}`);
  });
});

describe('synthesis with a bad environment', () => {
  it('writes nothing and leaves the previous cdktf.out/ exactly as it was', () => {
    const out = scratchDir('edge-out-');
    const outdir = join(out, 'cdktf.out');
    mkdirSync(outdir);
    writeFileSync(join(outdir, 'sentinel'), 'previous synth');
    const dir = envDir({ dev: baseEnvironment('dev'), prod: withField(baseEnvironment('prod'), 'hostnames[0].name', 'x.example.com') });
    expect(() => synthesize({ outdir, envsDir: dir })).toThrow(/prod\.yaml: hostnames\[0\]\.name: "x\.example\.com" is outside the zone/);
    expect(readFileSync(join(outdir, 'sentinel'), 'utf8')).toBe('previous synth');
    expect(existsSync(join(outdir, 'stacks'))).toBe(false);
    expect(require('node:fs').readdirSync(out)).toEqual(['cdktf.out']);
  });
});

describe('several environments', () => {
  const dev = baseEnvironment('dev');
  const stagingLike = (changes: Record<string, unknown>) =>
    Object.entries({ name: 'staging', 'backend.keyPrefix': 'edge-mtls/staging', 'cloudflare.zoneId': 'ffeeddccbbaa99887766554433221100', 'hostnames[0].name': 'api.staging.example.com', ...changes }).reduce(
      (doc, [path, value]) => withField(doc, path, value),
      dev,
    );

  it('may not share a Cloudflare zone, since each edge stack owns the zone-wide settings, whichever environment is selected', () => {
    const dir = envDir({ dev, staging: stagingLike({ 'cloudflare.zoneId': dev.cloudflare.zoneId }) });
    for (const selector of ['staging', 'dev', undefined]) {
      expect(problemsOf(() => resolveEnvironments(selector, dir))).toEqual([
        `cloudflare.zoneId: "${dev.cloudflare.zoneId}" is also the zone of ${join(dir, 'dev.yaml')}; each environment needs its own Cloudflare zone because its edge stack owns the zone-wide settings`,
      ]);
    }
  });

  it('may not claim the same hostname, even when only one of them is selected', () => {
    // A delegated subzone of its own (one zone name, one id) that holds the same hostname.
    const dir = envDir({ dev, staging: stagingLike({ 'cloudflare.zoneName': 'dev.example.com', 'hostnames[0].name': dev.hostnames[0].name }) });
    expect(problemsOf(() => resolveEnvironments('staging', dir))).toEqual([
      `hostnames[0].name: "${dev.hostnames[0].name}" is also a hostname of ${join(dir, 'dev.yaml')}; each hostname belongs to one environment`,
    ]);
  });

  it('report the problems of every env file together', () => {
    const dir = envDir({ dev: withField(dev, 'aws.region', 'mars-1'), staging: stagingLike({ 'edge.minTlsVersion': '1.0' }) });
    const problems = problemsOf(() => resolveEnvironments('dev', dir));
    expect(problems).toEqual([expect.stringMatching(/^aws\.region: expected an AWS region/), expect.stringMatching(/^edge\.minTlsVersion: expected "1\.2" or "1\.3"/)]);
  });
});
