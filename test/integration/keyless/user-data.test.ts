import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fromRoot } from '../../../lib/paths';
import { CLOUD_CONFIG_KEYS } from '../../../modules/keyless/cloud-config';
import { resourcesOf, synthStacks } from '../../support/synth';
import { exampleArnFor, renderTemplate } from '../../support/terraform-render';

function tool(name: string, args: string[]): string | undefined {
  const r = spawnSync(name, args, { stdio: 'ignore' });
  return r.error || r.status !== 0 ? `${name} is not installed` : undefined;
}
const noCloudInit = tool('cloud-init', ['--version']);
const noShellcheck = tool('shellcheck', ['--version']);
if (noCloudInit) console.warn(`SKIPPED cloud-init schema checks of key server user-data: ${noCloudInit} (.ci/run installs it)`);
if (noShellcheck) console.warn(`SKIPPED shellcheck of embedded boot scripts: ${noShellcheck} (.ci/run installs it)`);

const BOOT_SCRIPTS = ['boot-lib.sh', 'keyless-bootstrap.sh', 'render-gokeyless-config.sh'];

interface Host {
  readonly stack: string;
  readonly privateIp: string;
  readonly zoneId: string;
  /** user-data as the instance receives it (references rendered with example ARNs). */
  readonly userData: string;
}

const hosts: Host[] = [];
const origins: Host[] = [];
for (const [stackName, stack] of synthStacks()) {
  if (!stackName.endsWith('-keyless')) continue;
  for (const instance of Object.values<any>(resourcesOf(stack, 'aws_instance'))) {
    if (instance.tags.Name.endsWith('-origin')) {
      origins.push({ stack: stackName, privateIp: instance.private_ip, zoneId: '', userData: renderTemplate(instance.user_data, exampleArnFor) });
      continue;
    }
    const zoneId = Object.values<any>(resourcesOf(stack, 'cloudflare_keyless_certificate'))[0].zone_id;
    hosts.push({ stack: stackName, privateIp: instance.private_ip, zoneId, userData: renderTemplate(instance.user_data, exampleArnFor) });
  }
}
const files = (h: Host) => new Map<string, any>(parse(h.userData).write_files.map((f: any) => [f.path, f]));

describe('key server user-data', () => {
  it('exists for every key server of every keyless environment', () => {
    expect(hosts.map((h) => `${h.stack} ${h.privateIp}`).sort()).toEqual([
      'local-keyless 10.40.1.10',
      'local-keyless 10.40.2.10',
      'prod-keyless 10.60.1.10',
      'prod-keyless 10.60.2.10',
    ]);
  });

  it.each(hosts.map((h) => [`${h.stack} ${h.privateIp}`, h] as const))('%s is cloud-config with exactly the pinned keys', (_name, h) => {
    expect(h.userData.startsWith('#cloud-config\n')).toBe(true);
    expect(Object.keys(parse(h.userData)).sort()).toEqual([...CLOUD_CONFIG_KEYS].sort());
    expect(Object.keys(parse(h.userData)).sort()).toEqual(['runcmd', 'write_files']);
    expect(parse(h.userData).runcmd).toEqual([['/usr/local/libexec/keyless/keyless-bootstrap.sh']]);
    // EC2 refuses user-data over 16 KB.
    expect(Buffer.byteLength(h.userData)).toBeLessThan(16 * 1024);
  });

  (noCloudInit ? it.skip : it)('passes `cloud-init schema --config-file` (Debian cloud-init), and a broken copy does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-userdata-'));
    try {
      const check = (name: string, text: string) => {
        const file = join(dir, name);
        writeFileSync(file, text);
        const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
        return { name, code: r.status, out: `${r.stdout}${r.stderr}`.trim() };
      };
      const results = [...hosts, ...origins].map((h, i) => check(`host-${i}.yaml`, h.userData));
      expect(results).toHaveLength(5);
      expect(results.filter((r) => r.code !== 0)).toEqual([]);
      // The same check must be able to fail: a write_files entry without its path.
      const broken = hosts[0].userData.replace('  - path: /usr/local/libexec/keyless/keyless-bootstrap.sh\n    owner:', '  - owner:');
      expect(broken).not.toBe(hosts[0].userData);
      expect(check('broken.yaml', broken).code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(hosts.map((h) => [`${h.stack} ${h.privateIp}`, h] as const))('%s embeds the boot scripts byte for byte as they are in modules/keyless/boot', (_name, h) => {
    for (const name of BOOT_SCRIPTS) {
      const f = files(h).get(`/usr/local/libexec/keyless/${name}`);
      expect(f.content).toBe(readFileSync(fromRoot('modules', 'keyless', 'boot', name), 'utf8'));
      expect(f.permissions).toBe('0755');
    }
  });

  (noShellcheck ? it.skip : it)('the embedded boot scripts pass shellcheck as the host receives them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyless-scripts-'));
    try {
      const paths = BOOT_SCRIPTS.map((name) => {
        const p = join(dir, name);
        writeFileSync(p, files(hosts[0]).get(`/usr/local/libexec/keyless/${name}`).content);
        return p;
      });
      const r = spawnSync('shellcheck', ['--severity=style', ...paths], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(hosts.map((h) => [`${h.stack} ${h.privateIp}`, h] as const))('%s writes a gokeyless base config with the host\'s private IP, the zone and the key directory', (_name, h) => {
    const f = files(h).get('/etc/keyless/gokeyless.base.yaml');
    expect(parse(f.content)).toEqual({ hostname: h.privateIp, zone_id: h.zoneId, port: 2407, private_key_stores: [{ dir: '/etc/keyless/keys' }] });
    expect(f.permissions).toBe('0600');
  });

  it.each(hosts.map((h) => [`${h.stack} ${h.privateIp}`, h] as const))('%s gives the boot script secret ARNs only, in a root-only settings file bash can source', (_name, h) => {
    const f = files(h).get('/etc/keyless/bootstrap.env');
    expect(f.permissions).toBe('0600');
    const names = ['TUNNEL_TOKEN_SECRET_ARN', 'CREDENTIALS_SECRET_ARN', 'PRIVATE_KEY_SECRET_ARN', 'KEY_NAME', 'SIGNING_KEY_FINGERPRINT', 'PACKAGE_KEY_URL'];
    const dir = mkdtempSync(join(tmpdir(), 'keyless-env-'));
    const file = join(dir, 'bootstrap.env');
    writeFileSync(file, f.content);
    // Sourced by a clean bash exactly as the boot script does it.
    const script = `. "$1"; for v in ${names.join(' ')}; do printf '%s=%s\\n' "$v" "\${!v}"; done`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', file], { encoding: 'utf8', env: {} });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const vars = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const k of ['TUNNEL_TOKEN_SECRET_ARN', 'CREDENTIALS_SECRET_ARN', 'PRIVATE_KEY_SECRET_ARN']) expect(vars[k]).toMatch(/^arn:aws:secretsmanager:/);
    expect(vars.KEY_NAME).toBe('keyless');
    expect(vars.SIGNING_KEY_FINGERPRINT).toMatch(/^[0-9A-F]{40}$/);
    expect(vars.PACKAGE_KEY_URL).toBe('https://pkg.cloudflare.com/cloudflare-main.gpg');
  });

  it('gives the demo origin (local only) nginx through the same boot library, and nothing secret', () => {
    expect(origins.map((o) => `${o.stack} ${o.privateIp}`)).toEqual(['local-keyless 10.40.1.20']);
    const doc = parse(origins[0].userData);
    expect(Object.keys(doc).sort()).toEqual(['runcmd', 'write_files']);
    expect(doc.runcmd).toEqual([['/usr/local/libexec/keyless/origin-bootstrap.sh']]);
    expect(doc.write_files.map((f: any) => f.path)).toEqual(['/usr/local/libexec/keyless/boot-lib.sh', '/usr/local/libexec/keyless/origin-bootstrap.sh']);
    expect(doc.write_files[1].content).toBe(readFileSync(fromRoot('modules', 'keyless', 'boot', 'origin-bootstrap.sh'), 'utf8'));
    expect(origins[0].userData).not.toMatch(/secretsmanager|TUNNEL_TOKEN/);
  });

  it('runs cloudflared from a root-only token file, never with the token on a command line', () => {
    const unit = files(hosts[0]).get('/etc/systemd/system/cloudflared-keyless.service').content as string;
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/cloudflared\/tunnel\.env$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/cloudflared --no-autoupdate tunnel run$/m);
    expect(unit).toMatch(/^DynamicUser=yes$/m);
  });
});

describe('render-gokeyless-config.sh (run with bash)', () => {
  const script = fromRoot('modules', 'keyless', 'boot', 'render-gokeyless-config.sh');
  const base = files(hosts[0]).get('/etc/keyless/gokeyless.base.yaml').content as string;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyless-render-'));
    writeFileSync(join(dir, 'base.yaml'), base);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const run = (apiKey: string, baseFile = 'base.yaml') =>
    spawnSync('bash', [script, join(dir, baseFile), join(dir, 'gokeyless.yaml')], { input: apiKey, encoding: 'utf8' });

  it('adds the API key read from stdin and keeps every field gokeyless needs; the file is owner-only', () => {
    const key = 'v1.0-0123456789abcdef01234567-' + 'ab'.repeat(40);
    const r = run(key);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const config = parse(readFileSync(join(dir, 'gokeyless.yaml'), 'utf8'));
    expect(config).toEqual({ ...parse(base), origin_ca_api_key: key });
    expect(Object.keys(config)).toEqual(expect.arrayContaining(['hostname', 'zone_id', 'origin_ca_api_key', 'private_key_stores']));
    expect(spawnSync('stat', ['-c', '%a', join(dir, 'gokeyless.yaml')], { encoding: 'utf8' }).stdout.trim()).toBe('600');
  });

  it('refuses a credential that could inject YAML, and a base that already holds a key', () => {
    expect(run('abcdefghijklmnop\nhostname: evil').status).toBe(0); // only the first line is read...
    expect(parse(readFileSync(join(dir, 'gokeyless.yaml'), 'utf8')).hostname).toBe(parse(base).hostname); // ...so it cannot add fields
    const bad = run('key: "with quotes and spaces"');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not an API key/);
    writeFileSync(join(dir, 'leaky.yaml'), `${base}origin_ca_api_key: x\n`);
    const leaky = run('abcdefghijklmnop', 'leaky.yaml');
    expect(leaky.status).not.toBe(0);
    expect(leaky.stderr).toMatch(/secrets belong in Secrets Manager only/);
  });
});
