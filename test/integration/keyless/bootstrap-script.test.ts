import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fromRoot } from '../../../lib/paths';
import { keyServerCloudConfig } from '../../../modules/keyless/key-server-user-data';

/*
 * Runs the real boot script under bash in a scratch root (KEYLESS_ROOT), with the files
 * cloud-init would write and stand-ins for the host tools that need a real Amazon Linux
 * host or the network (aws, curl, gpg, rpm, dnf, systemctl, logger, sleep, chown and
 * install's owner flags). Stand-ins record their calls; files, modes and logs are real.
 */

const FINGERPRINT = '0123456789ABCDEF0123456789ABCDEF01234567';
const TOKEN = 'eyJhIjoiZmFrZSIsInQiOiJ0dW5uZWwiLCJzIjoic2VjcmV0In0=';
const API_KEY = 'v1.0-0123456789abcdef01234567-' + 'cd'.repeat(40);
const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

const STUBS: Record<string, string> = {
  aws: `#!/bin/bash
echo "aws $*" >>"$CALLS"
id="" stage=AWSCURRENT
while (($#)); do case $1 in --secret-id) id=$2; shift ;; --version-stage) stage=$2; shift ;; esac; shift; done
name=\${id##*:secret:}
# The first read of the tunnel token fails, as a not-yet-ready NAT would.
if [[ $name == tunnel-token && ! -e $FIXTURES/.failed-once ]]; then touch "$FIXTURES/.failed-once"; echo "Could not connect" >&2; exit 255; fi
f="$FIXTURES/$name.$stage"
[[ -f $f ]] || { echo "ResourceNotFoundException" >&2; exit 254; }
cat "$f"`,
  curl: `#!/bin/bash
echo "curl $*" >>"$CALLS"
out="" url=""
while (($#)); do case $1 in -o) out=$2; shift ;; https://*) url=$1 ;; esac; shift; done
case $url in
  *.gpg) echo "fake key" >"$out" ;;
  *.repo) printf '[%s]\\nname=x\\nbaseurl=https://pkg.cloudflare.com/x\\ngpgcheck=0\\ngpgkey=https://elsewhere/key\\nenabled=1\\n' "$(basename "$url" .repo)" >"$out" ;;
esac`,
  gpg: `#!/bin/bash
echo "gpg $*" >>"$CALLS"
echo "pub:-:255:22:AAAA:1::::::scESC::::::23::0:"
echo "fpr:::::::::$GPG_FPR:"`,
  rpm: `#!/bin/bash
echo "rpm $*" >>"$CALLS"
[[ $1 == -q ]] && printf 'cloudflared-2025.1.0-1.x86_64\\ngokeyless-1.6.0-1.x86_64\\n'
exit 0`,
  dnf: '#!/bin/bash\necho "dnf $*" >>"$CALLS"',
  systemctl: '#!/bin/bash\necho "systemctl $*" >>"$CALLS"',
  logger: '#!/bin/bash\ncat >>"$JOURNAL"',
  sleep: '#!/bin/bash\necho "sleep $*" >>"$CALLS"',
  chown: '#!/bin/bash\necho "chown $*" >>"$CALLS"',
  // Owner flags need root and a keyless user; the rest is the real install(1).
  install: `#!/bin/bash
echo "install $*" >>"$CALLS"
args=()
while (($#)); do case $1 in -o|-g) shift ;; *) args+=("$1") ;; esac; shift; done
exec /usr/bin/install "\${args[@]}"`,
};

interface Run {
  readonly code: number | null;
  readonly root: string;
  readonly calls: string;
  readonly log: string;
  readonly journal: string;
}

function bootstrap(opts: { fingerprint?: string; previousKey?: string; currentKey?: string } = {}): Run {
  const root = mkdtempSync(join(tmpdir(), 'keyless-boot-'));
  const bin = join(root, '.stubs');
  const fixtures = join(root, '.fixtures');
  for (const d of [bin, fixtures, 'var/log', 'etc/pki/rpm-gpg', 'etc/yum.repos.d'].map((d) => (d.startsWith('/') ? d : join(root, d)))) mkdirSync(d, { recursive: true });
  for (const [name, body] of Object.entries(STUBS)) {
    writeFileSync(join(bin, name), `${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  // The files cloud-init writes, from the same typed cloud-config the stack uses.
  const config = keyServerCloudConfig({
    privateIp: '10.40.1.10',
    zoneId: '0123456789abcdef0123456789abcdef',
    port: 2407,
    keyName: 'keyless',
    region: 'us-east-1',
    secretArns: {
      tunnelToken: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tunnel-token',
      credentials: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key',
      privateKey: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:private-key',
    },
    signingKeyFingerprint: opts.fingerprint ?? FINGERPRINT,
  });
  for (const f of config.write_files) {
    const path = join(root, f.path);
    mkdirSync(join(path, '..'), { recursive: true });
    // Undo the Terraform escaping, as Terraform would when rendering user_data.
    writeFileSync(path, f.content.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'));
    chmodSync(path, parseInt(f.permissions, 8));
  }
  writeFileSync(join(fixtures, 'tunnel-token.AWSCURRENT'), TOKEN);
  writeFileSync(join(fixtures, 'api-key.AWSCURRENT'), API_KEY);
  writeFileSync(join(fixtures, 'private-key.AWSCURRENT'), opts.currentKey ?? pem());
  if (opts.previousKey) writeFileSync(join(fixtures, 'private-key.AWSPREVIOUS'), opts.previousKey);
  const calls = join(root, '.calls');
  const journal = join(root, '.journal');
  const r = spawnSync('bash', ['--norc', '--noprofile', join(root, config.runcmd[0][0])], {
    encoding: 'utf8',
    timeout: 30000,
    env: { PATH: `${bin}:/usr/bin:/bin`, KEYLESS_ROOT: root, CALLS: calls, JOURNAL: journal, FIXTURES: fixtures, GPG_FPR: FINGERPRINT },
  });
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
  return { code: r.status, root, calls: read(calls), log: read(join(root, 'var/log/keyless-bootstrap.log')), journal: read(journal) };
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('keyless-bootstrap.sh, run in a scratch root with stand-in host tools', () => {
  const runs: Run[] = [];
  afterAll(() => runs.forEach((r) => rmSync(r.root, { recursive: true, force: true })));
  const run = (opts?: Parameters<typeof bootstrap>[0]) => {
    const r = bootstrap(opts);
    runs.push(r);
    return r;
  };

  describe('on a healthy host', () => {
    const previous = pem();
    let r: Run;
    beforeAll(() => {
      r = run({ previousKey: previous });
    });

    it('finishes and logs each step to the log file and the journal', () => {
      expect({ code: r.code, log: r.log }).toEqual({ code: 0, log: expect.stringContaining('done: cloudflared-keyless and gokeyless are enabled and started') });
      expect(r.journal).toBe(r.log);
    });

    it('retries a transient failure (the first token read) a bounded number of times', () => {
      expect(r.log).toMatch(/attempt 1 of 10 failed: secret; retrying in 10s/);
      expect(r.calls).toContain('sleep 10');
    });

    it('trusts the package key only after checking its fingerprint, and forces signature checks on both repositories', () => {
      expect(r.log).toContain(`trusted Cloudflare package key ${FINGERPRINT}`);
      for (const repo of ['cloudflared', 'gokeyless']) {
        const text = readFileSync(join(r.root, 'etc/yum.repos.d', `${repo}.repo`), 'utf8');
        expect(text).toContain(`[${repo}]\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/cloudflare-main.gpg\n`);
        expect(text).not.toMatch(/gpgcheck=0|elsewhere/);
      }
      expect(r.calls).toMatch(/^dnf install -y -q cloudflared gokeyless$/m);
    });

    it('writes the tunnel token root-only, for the systemd unit', () => {
      const file = join(r.root, 'etc/cloudflared/tunnel.env');
      expect(readFileSync(file, 'utf8')).toBe(`TUNNEL_TOKEN=${TOKEN}\n`);
      expect(mode(file)).toBe('600');
    });

    it('writes gokeyless.yaml with the private IP as hostname, the zone and the API key, readable by keyless only', () => {
      const file = join(r.root, 'etc/keyless/gokeyless.yaml');
      expect(parse(readFileSync(file, 'utf8'))).toEqual({
        hostname: '10.40.1.10',
        zone_id: '0123456789abcdef0123456789abcdef',
        port: 2407,
        private_key_stores: [{ dir: '/etc/keyless/keys' }],
        origin_ca_api_key: API_KEY,
      });
      expect(mode(file)).toBe('640');
      expect(r.calls).toContain(`chown root:keyless ${file}`);
    });

    it('writes the current and the previous private key as 0400 files owned by keyless', () => {
      const keys = join(r.root, 'etc/keyless/keys');
      expect(mode(keys)).toBe('700');
      expect(r.calls).toMatch(/install -d -m 0700 -o keyless -g keyless .*\/etc\/keyless\/keys/);
      for (const name of ['keyless.key', 'keyless-previous.key']) expect(mode(join(keys, name))).toBe('400');
      // Owned by keyless before being moved into place, so no moment with a wrong owner.
      expect(r.calls.match(/^chown keyless:keyless .*\/etc\/keyless\/keys\/\.incoming\.\w+$/gm)).toHaveLength(2);
      expect(readFileSync(join(keys, 'keyless-previous.key'), 'utf8')).toBe(previous);
    });

    it('enables and starts both services', () => {
      expect(r.calls).toMatch(/^systemctl enable --now cloudflared-keyless\.service$/m);
      expect(r.calls).toMatch(/^systemctl enable --now gokeyless\.service$/m);
    });

    it('never writes a secret to the log or the journal', () => {
      for (const secret of [TOKEN, API_KEY, 'PRIVATE KEY']) expect(r.log + r.journal).not.toContain(secret);
    });
  });

  it('refuses a package key whose fingerprint differs and installs nothing', () => {
    const r = run({ fingerprint: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' });
    expect(r.code).not.toBe(0);
    expect(r.log).toContain(`package signing key fingerprint is '${FINGERPRINT}', expected 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF': refusing to trust it`);
    expect(r.calls).not.toMatch(/^dnf /m);
    expect(existsSync(join(r.root, 'etc/cloudflared/tunnel.env'))).toBe(false);
  });

  it('stops without starting services when the private-key secret is not a key, leaving no partial key file', () => {
    const r = run({ currentKey: 'not a key' });
    expect(r.code).not.toBe(0);
    expect(r.log).toContain('the AWSCURRENT version of arn:aws:secretsmanager:us-east-1:123456789012:secret:private-key is not a PEM private key');
    expect(r.calls).not.toMatch(/^systemctl enable/m);
    expect(spawnSync('ls', ['-A', join(r.root, 'etc/keyless/keys')], { encoding: 'utf8' }).stdout).toBe('');
  });
});

it('the boot scripts in the repository are executable', () => {
  for (const f of ['keyless-bootstrap.sh', 'render-gokeyless-config.sh']) expect(statSync(fromRoot('modules', 'keyless', 'boot', f)).mode & 0o111).not.toBe(0);
});
