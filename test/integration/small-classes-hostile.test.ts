import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { crossFileProblems } from '../../envs/resolve';
import { ConfigError } from '../../lib/errors';
import { fromRoot } from '../../lib/paths';
import { defineCommand, executeCommand, EXIT, isPlanReportJson, readJsonInput, REPORT_OPTIONS } from '../../tools/cli';
import { BUDGET } from '../support/budget';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { RAW_ERRNO, refusalLine } from '../support/refusal';
import { treeSnapshot } from '../support/tree';

/**
 * Issue 25, class 6: the smaller classes each get one clear line (exit 64 for usage, 1
 * for input) naming the option, or the env file and field, and change nothing. In
 * process: the runner with a stand-in command, readJsonInput, loadEnvironment; two
 * real spawns of pr-comment.
 */

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'edge-small-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('the command runner', () => {
  const ran: unknown[] = [];
  const command = defineCommand({
    name: 'npm run probe',
    summary: 'a stand-in command',
    options: {
      env: { type: 'string', doc: 'environment' },
      post: { type: 'boolean', doc: 'post' },
      resolve: { type: 'string', multiple: true, doc: 'repeatable' },
      ...REPORT_OPTIONS,
    },
    run(values) {
      ran.push(values);
      return EXIT.ok;
    },
  });

  /** Exit code and stderr of one in-process run; asserts the command body did not run on failure. */
  async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    ran.length = 0;
    try {
      const code = await executeCommand(command, argv, {});
      if (code !== EXIT.ok) expect(ran).toEqual([]);
      return { code, stderr };
    } finally {
      spy.mockRestore();
    }
  }

  it.each<[string, string[], RegExp]>([
    ['--env twice', ['--env', 'dev', '--env', 'prod'], /^npm run probe: --env is given twice \("dev" then "prod"\); give it once$/m],
    ['--env= twice', ['--env=dev', '--env=prod'], /--env is given twice \("dev" then "prod"\)/],
    ['a boolean twice', ['--post', '--post'], /^npm run probe: --post is given twice; give it once$/m],
    ['--json twice', ['--json', 'a.json', '--json', 'b.json'], /--json is given twice \("a\.json" then "b\.json"\)/],
  ])('%s: exit 64, one line naming the option', async (_what, argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
  });

  it('a repeatable option given twice is fine', async () => {
    expect((await run(['--resolve', 'a', '--resolve', 'b'])).code).toBe(EXIT.ok);
    expect(ran).toEqual([expect.objectContaining({ resolve: ['a', 'b'] })]);
  });

  it.each<[string, () => string[], RegExp]>([
    ['--json naming a folder', () => ['--json', work], /--json ".*" is a folder; name a file/],
    ['--json in a missing folder', () => ['--json', join(work, 'missing', 'r.json')], /--json ".*r\.json" cannot be made: the folder ".*missing" does not exist/],
    ['--markdown naming a device', () => ['--markdown', '/dev/null'], /--markdown "\/dev\/null" is not a regular file \(a device, FIFO or socket\)/],
    ['--markdown naming a FIFO', () => {
      const fifo = join(work, 'fifo');
      spawnSync('mkfifo', [fifo]);
      return ['--markdown', fifo];
    }, /--markdown ".*fifo" is not a regular file/],
    ['--json under a file', () => {
      writeFileSync(join(work, 'file'), 'x');
      return ['--json', join(work, 'file', 'r.json')];
    }, /--json ".*r\.json" cannot be made: ".*file" is not a folder/],
  ])('%s: exit 64 before the run, not a raw errno after it', async (_what, argv, message) => {
    const args = argv();
    const before = treeSnapshot(work);
    const r = await run(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(RAW_ERRNO);
    expect(treeSnapshot(work)).toEqual(before);
  });
});

describe('JSON reports named by an option are read bounded', () => {
  const read = (path: string) => () => readJsonInput(path, '--plan', isPlanReportJson, 'the JSON report of npm run plan -- --json');

  it.each<[string, () => string, RegExp]>([
    ['/dev/zero', () => '/dev/zero', /^--plan: "\/dev\/zero": is a device, not a regular file; expected the JSON report/],
    ['a folder', () => work, /^--plan: ".*": is a directory, not a regular file/],
    ['a missing file', () => join(work, 'nope.json'), /^--plan: ".*nope\.json": does not exist/],
    ['text that is not JSON', () => {
      writeFileSync(join(work, 'p.json'), '{"env": ');
      return join(work, 'p.json');
    }, /^--plan: ".*p\.json": is not JSON \(/],
    ['JSON of another shape', () => {
      writeFileSync(join(work, 'p.json'), '{"stacks": {}}');
      return join(work, 'p.json');
    }, /^--plan: ".*p\.json": is JSON but not the JSON report of npm run plan/],
  ])('%s: one line naming --plan, at once', (_what, path, message) => {
    const started = Date.now();
    expect(refusalLine(read(path()))).toMatch(message);
    expect(Date.now() - started).toBeLessThan(BUDGET.npmCommand);
  });

  const prComment = (args: string[]) =>
    spawnSync('npx', ['tsx', 'scripts/pr-comment.ts', ...args], { cwd: fromRoot(), encoding: 'utf8', timeout: BUDGET.npmCommand * 3, killSignal: 'SIGKILL' });

  it('the real `pr-comment --plan /dev/zero` exits 1 with one line instead of hanging', () => {
    const r = prComment(['--plan', '/dev/zero']);
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 1, stderr: expect.stringMatching(/^invalid configuration: --plan: "\/dev\/zero": is a device, not a regular file/) });
  });

  it('the real `pr-comment --plan a --plan b` exits 64 naming --plan', () => {
    const r = prComment(['--plan', 'a.json', '--plan', 'b.json']);
    expect({ status: r.status, stderr: r.stderr.split('\n')[0] }).toEqual({ status: 64, stderr: 'npm run pr-comment: --plan is given twice ("a.json" then "b.json"); give it once' });
  });
});

describe('env-file fields of the smaller classes', () => {
  function problems(env: string, doc: Record<string, unknown>): string[] {
    const dir = envDir({ [env]: doc });
    try {
      loadEnvironment(env, dir);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems.map((p) => `${p.file.replace(/^.*\//, '')}: ${p.field}: ${p.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return [];
  }
  const local = () => baseEnvironment('local');

  it.each<[string, string, unknown, RegExp]>([
    ['a tag value with a line break', 'tags', { Owner: 'platform\nteam' }, /^local\.yaml: tags\.Owner: expected a tag value on one line, without control characters/],
    ['a tag value with NUL', 'tags', { Owner: 'platform\u0000team' }, /^local\.yaml: tags\.Owner: expected a tag value on one line/],
    ['a tag value with a Unicode line separator', 'tags', { Owner: 'platform\u2028team' }, /^local\.yaml: tags\.Owner: expected a tag value on one line/],
    ['a local state folder given absolute', 'backend', { type: 'local', dir: '/var/lib/state' }, /^local\.yaml: backend\.dir: expected a folder inside the repository, relative to its root/],
    ['a local state folder climbing out with ..', 'backend', { type: 'local', dir: 'terraform-state/../../outside' }, /^local\.yaml: backend\.dir: expected a folder inside the repository/],
    ['a local state folder inside .git', 'backend', { type: 'local', dir: '.git/state' }, /^local\.yaml: backend\.dir: expected a folder outside \.git/],
    ['an emulator endpoint on another machine', 'aws.endpoint', 'http://10.0.0.5:5000', /^local\.yaml: aws\.endpoint: "http:\/\/10\.0\.0\.5:5000" is not on this machine; an emulator endpoint must be a loopback address/],
    ['an emulator endpoint by a public name', 'aws.endpoint', 'https://moto.example.com', /^local\.yaml: aws\.endpoint: "https:\/\/moto\.example\.com" is not on this machine/],
    ['a carrier-grade NAT block outside 100.64.0.0/10', 'keyless.vpc.cidr', '100.128.0.0/16', /^local\.yaml: keyless\.vpc\.cidr: expected a private \(RFC 1918: .*\) or shared \(RFC 6598: 100\.64\.0\.0\/10\) block/],
  ])('local.yaml with %s: one line naming the field', (_what, field, value, message) => {
    const found = problems('local', withField(local(), field, value));
    expect(found.filter((p) => message.test(p))).toHaveLength(1);
    if (!field.startsWith('keyless')) expect(found).toHaveLength(1);
  });

  it('an emulator endpoint in an environment other than local (local backend): one line naming aws.endpoint', () => {
    const doc = withField(withField(withField(withField(local(), 'name', 'dev'), 'backend', { type: 'local' }), 'drift', undefined), 'keyless', undefined);
    expect(problems('dev', doc)).toEqual(['dev.yaml: aws.endpoint: an emulator endpoint is only allowed in the local environment, not in "dev"; remove it to use the real AWS endpoints']);
  });

  it.each(['http://localhost:5000', 'http://127.0.0.2:5000', 'http://[::1]:5000'])('a loopback emulator endpoint %s loads', (endpoint) => {
    expect(problems('local', withField(local(), 'aws.endpoint', endpoint))).toEqual([]);
  });

  it('a carrier-grade NAT VPC range (100.64.0.0/16) is accepted as not public', () => {
    const found = problems('local', withField(local(), 'keyless.vpc.cidr', '100.64.0.0/16'));
    expect(found.filter((p) => /keyless\.vpc\.cidr/.test(p) && /RFC 6598/.test(p))).toEqual([]);
  });

  it('one Terraform variable for two private keys: one line naming the second', () => {
    const byo = {
      mode: 'byo',
      caBundle: 'ca.pem',
      originPullClient: { certificate: 'client.pem', privateKey: { terraformVariable: 'shared_key' } },
      serverCertificate: { certificate: 'server.pem', privateKey: { terraformVariable: 'shared_key' } },
    };
    const found = problems('local', withField(local(), 'pki', byo));
    expect(found).toContainEqual(
      'local.yaml: pki.serverCertificate.privateKey.terraformVariable: the Terraform variable "shared_key" already supplies the key of pki.originPullClient.privateKey; each private key needs its own variable',
    );
  });
});

describe('across env files', () => {
  const loaded = (docs: Record<string, Record<string, unknown>>) => {
    const dir = envDir(docs);
    try {
      return Object.keys(docs).map((name) => loadEnvironment(name, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const lines = (docs: Record<string, Record<string, unknown>>) => crossFileProblems(loaded(docs)).map((p) => `${p.file.replace(/^.*\//, '')}: ${p.field}: ${p.message}`);

  it('the same zone name with two different zone ids: one line naming the second file and cloudflare.zoneId', () => {
    const dev = baseEnvironment('dev');
    const staging = withField(withField(baseEnvironment('staging'), 'cloudflare.zoneName', dev.cloudflare.zoneName), 'hostnames', dev.hostnames.map((h: { name: string }) => ({ ...h, name: h.name.replace(/^api\./, 'api2.') })));
    expect(lines({ dev, staging }).filter((l) => /a zone name has one zone id/.test(l))).toEqual([
      expect.stringMatching(/^staging\.yaml: cloudflare\.zoneId: "[0-9a-f]{32}" differs from "[0-9a-f]{32}", the id .*dev\.yaml gives the same zone ".*"; a zone name has one zone id/),
    ]);
  });

  it('different zone names with their own ids raise nothing', () => {
    expect(lines({ dev: baseEnvironment('dev'), prod: baseEnvironment('prod') }).filter((l) => /zone/.test(l))).toEqual([]);
  });
});

describe('a folder tree for the runner cases exists only inside the test', () => {
  it('leaves nothing behind', () => {
    mkdirSync(join(work, 'x'));
    expect(Object.keys(treeSnapshot(work))).toEqual(['x']);
  });
});
