import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fromRoot } from '../../../lib/paths';
import { baseEnvironment, envDir } from '../../support/env-files';
import { type Finished, runToEnd } from '../../support/processes';

// Every npm command, spawned for real the way npm runs it: --help, a wrong option and
// a bad env file each end with the exit code of the table in tools/cli.ts and never
// with a stack trace. Commands are read from package.json, so a new one is covered
// the moment it is added.

interface NpmCommand {
  readonly name: string;
  /** node arguments: the entry file, with tsx loaded for TypeScript. */
  readonly node: readonly string[];
}

const scripts: Record<string, string> = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).scripts;
const commands: NpmCommand[] = Object.entries(scripts).flatMap(([name, line]) => {
  const m = /^(tsx|node) (scripts\/\S+)$/.exec(line);
  if (!m) return [];
  return [{ name, node: m[1] === 'tsx' ? ['--import', 'tsx', m[2]] : [m[2]] }];
});

// Loaded at exit in each child: which provider bindings or stacks it had loaded.
const probe = fromRoot('.cache', `cli-probe-${process.pid}.cjs`);

let slots = Math.max(2, cpus().length);
const waiting: (() => void)[] = [];
/** Spawns one command; at most `slots` run at once (each is a node start-up, CPU-bound). */
async function run(command: NpmCommand, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  if (slots === 0) await new Promise<void>((r) => waiting.push(r));
  slots--;
  try {
    return await runToEnd('node', ['--require', probe, ...command.node, ...args], {
      cwd: fromRoot(),
      env: { ...process.env, EDGE_DEBUG: '', CI: '', ...env },
    });
  } finally {
    slots++;
    waiting.shift()?.();
  }
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m;
const loaded = (r: Finished) => Number(/^LOADED (\d+)$/m.exec(r.stderr)?.[1] ?? NaN);
const withoutProbe = (text: string) => text.replace(/^LOADED \d+\n/m, '');

describe('every npm command follows the exit-code table', () => {
  let badEnvs: string;
  const help = new Map<string, Promise<Finished>>();
  const unknown = new Map<string, Promise<Finished>>();

  beforeAll(() => {
    // .cache does not exist on a fresh clone until something else made it.
    mkdirSync(dirname(probe), { recursive: true });
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write(`LOADED ${Object.keys(require.cache).filter((k) => /@cdktf[\\\\/]provider-|[\\\\/]stacks[\\\\/]/.test(k)).length}\\n`));\n",
    );
    badEnvs = envDir({ dev: { ...baseEnvironment('dev'), cloudflare: { ...baseEnvironment('dev').cloudflare, zoneId: 'abc' } } });
    // Start every spawn at once; the pool above keeps the machine responsive.
    for (const c of commands) {
      help.set(c.name, run(c, ['--help']));
      unknown.set(c.name, run(c, ['--no-such-option']));
    }
  });
  afterAll(() => {
    rmSync(probe, { force: true });
    rmSync(badEnvs, { recursive: true, force: true });
  });

  it('finds the commands in package.json, and every script entry point is one of them', () => {
    const names = commands.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['synth', 'plan', 'drift', 'review', 'policy', 'validate', 'verify', 'lint', 'bench']));
    const entries = new Set(commands.map((c) => c.node[c.node.length - 1]));
    const files = readdirSync(fromRoot('scripts')).filter((f) => /\.(ts|mjs)$/.test(f));
    expect(files.filter((f) => !entries.has(`scripts/${f}`))).toEqual([]);
  });

  describe.each(commands.map((c) => [c.name, c] as const))('npm run %s', (name, command) => {
    it('answers --help with the usage, its options and the exit codes, exit 0', async () => {
      const r = await help.get(name)!;
      expect(withoutProbe(r.stderr)).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: npm run ${name}\\b`));
      expect(r.stdout).toMatch(/^ {2}-h, --help /m);
      expect(r.stdout).toMatch(/^exit codes:\n {2}0 .+\n {2}1 .+\n(?: {2}2 .+\n)? {2}64 +usage error/m);
      // Exit code 2 means changes or drift (plan, drift), or changes left pending (apply and local: declined, or stacks waiting).
      expect(/^ {2}2 /m.test(r.stdout)).toBe(['plan', 'drift', 'apply', 'local'].includes(name));
    });

    it('refuses an unknown option with exit 64, one line and a pointer to --help', async () => {
      const r = await unknown.get(name)!;
      expect(r.code).toBe(64);
      expect(r.stdout).toBe('');
      expect(withoutProbe(r.stderr)).toBe(`npm run ${name}: unknown option --no-such-option\nrun "npm run ${name} -- --help" for usage\n`);
    });

    if (!command.node[command.node.length - 1].endsWith('.mjs')) {
      // The synth entry runs from a bundle that holds the whole app, so this applies to the tsx scripts.
      it('loads no provider binding and no stack before it has parsed its arguments', async () => {
        expect(loaded(await help.get(name)!)).toBe(0);
        expect(loaded(await unknown.get(name)!)).toBe(0);
      });
    }
  });

  // One command per way of reading env files (the synth bundle, synthesize-to-memory
  // as policy, review, plan and drift do too, verify's own loader): each spawn loads the
  // whole app, so the rest are left to the runner, whose handling of every error kind
  // test/unit/cli/runner.test.ts pins in process.
  describe.each(['synth', 'validate', 'verify'])('npm run %s with a bad env file', (name) => {
    it('prints the one-line problem, no stack trace, and exits 1', async () => {
      const command = commands.find((c) => c.name === name)!;
      const out = join(badEnvs, 'out');
      const r = await run(command, ['--env', 'dev'], { EDGE_ENVS_DIR: badEnvs, CDKTF_OUTDIR: out });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^invalid configuration: \S*dev\.yaml: cloudflare\.zoneId: expected the Cloudflare zone id: .*\(got "abc"\)$/m);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(r.stdout).toBe('');
      expect(readdirSync(badEnvs)).toEqual(['dev.yaml']);
    });
  });
});
