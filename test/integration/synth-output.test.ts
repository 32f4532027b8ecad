import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { isCustodyStack } from '../../lib/naming';
import { fromRoot } from '../../lib/paths';
import { MARKER } from '../../tools/synth/output-folder';
import { synthesize } from '../../tools/synth/synth';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { BUDGET } from '../support/budget';

/**
 * `npm run synth` writes into a folder people also work in (terraform init leaves
 * `.terraform/` there) and that a typo can point anywhere. It must own only what it
 * wrote, never touch anything else, and leave nothing behind when it fails.
 */

const problem = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.file}: ${p.field}: ${p.message}`).join('\n');
    throw e;
  }
  throw new Error('expected a ConfigError, got success');
};

/** Every file under `dir` with its content, for "nothing changed" comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

let work: string;
let envs: string;
let privateTmp: string;
const savedTmp = process.env.TMPDIR;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'edge-synth-out-'));
  // dev and local share a Cloudflare account: one of them owns the account stack.
  envs = envDir({ dev: withField(baseEnvironment('dev'), 'cloudflare.ownsAccountStack', true), local: baseEnvironment('local') });
  // Synth's own temporary folders go here, so the tests can see that none is left.
  privateTmp = join(work, 'tmp');
  mkdirSync(privateTmp);
  process.env.TMPDIR = privateTmp;
});
afterEach(() => {
  process.env.TMPDIR = savedTmp;
  if (savedTmp === undefined) delete process.env.TMPDIR;
  rmSync(work, { recursive: true, force: true });
  rmSync(envs, { recursive: true, force: true });
});

describe('synth refuses an output folder it could damage, before writing anything', () => {
  const root = fromRoot();
  it.each<[string, () => string, RegExp]>([
    ['an empty setting (CDKTF_OUTDIR=)', () => '', /outdir: \(output folder\): is empty/],
    ['a blank setting', () => '   ', /is empty/],
    ['the filesystem root', () => '/', /is the filesystem root/],
    ['the project root', () => root, /is the project root or a folder containing it/],
    ['the project root written as "."-relative path', () => `${root}/envs/..`, /is the project root or a folder containing it/],
    ['a parent of the project root', () => dirname(root), /is the project root or a folder containing it/],
    ['a folder inside .git', () => join(root, '.git', 'synth-out'), /is inside \.git/],
    ['the env files folder (files synth did not write)', () => join(root, 'envs'), /holds files synth did not write \(no \.edge-synth\.json\)/],
    ['a symlink to the project root', () => {
      const link = join(work, 'link-to-root');
      symlinkSync(root, link);
      return link;
    }, /is the project root or a folder containing it/],
    ['a folder below a symlink to the project root', () => {
      const link = join(work, 'root-link');
      symlinkSync(root, link);
      return join(link, 'envs');
    }, /holds files synth did not write/],
    ['a regular file', () => {
      writeFileSync(join(work, 'a-file'), 'x');
      return join(work, 'a-file');
    }, /exists and is not a folder/],
    ['an earlier cdktf.out without a marker', () => {
      mkdirSync(join(work, 'cdktf.out', 'stacks', 'dev-origin'), { recursive: true });
      writeFileSync(join(work, 'cdktf.out', 'stacks', 'dev-origin', 'cdk.tf.json'), '{}');
      return join(work, 'cdktf.out');
    }, /holds files synth did not write/],
    ['a file deep in otherwise empty folders', () => {
      mkdirSync(join(work, 'deep', 'stacks', 'a', 'b'), { recursive: true });
      writeFileSync(join(work, 'deep', 'stacks', 'a', 'b', 'notes.txt'), 'keep me');
      return join(work, 'deep');
    }, /holds files synth did not write/],
    ['a symlink in otherwise empty folders', () => {
      mkdirSync(join(work, 'linked', 'stacks'), { recursive: true });
      symlinkSync(join(root, 'package.json'), join(work, 'linked', 'stacks', 'elsewhere'));
      return join(work, 'linked');
    }, /holds files synth did not write/],
    ['a folder with a forged marker', () => {
      mkdirSync(join(work, 'forged'));
      writeFileSync(join(work, 'forged', MARKER), JSON.stringify({ writtenBy: 'someone', stacks: [] }));
      writeFileSync(join(work, 'forged', 'precious.txt'), 'keep me');
      return join(work, 'forged');
    }, /is not synth's output: its \.edge-synth\.json was not written by synth/],
    ['a marker naming a stack outside stacks/', () => {
      mkdirSync(join(work, 'escape'));
      writeFileSync(join(work, 'escape', MARKER), JSON.stringify({ writtenBy: 'edge-mtls-cdktf synth output', stacks: ['../../etc'] }));
      return join(work, 'escape');
    }, /is not synth's output: its \.edge-synth\.json was not written by synth/],
  ])('%s', (_what, target, message) => {
    const outdir = target();
    const before = outdir.startsWith(work) && existsSync(outdir) && lstatSync(outdir).isDirectory() ? snapshot(outdir) : undefined;
    expect(problem(() => synthesize({ outdir, envsDir: envs, selector: 'dev' }))).toMatch(message);
    if (before) expect(snapshot(outdir)).toEqual(before);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('the project root is untouched after a refused run into it', () => {
    const tracked = spawnSync('git', ['status', '--porcelain', '--', 'envs', 'main.ts'], { cwd: root, encoding: 'utf8' }).stdout;
    expect(problem(() => synthesize({ outdir: root, envsDir: envs, selector: 'dev' }))).toMatch(/project root/);
    expect(existsSync(join(root, MARKER))).toBe(false);
    expect(existsSync(join(root, 'manifest.json'))).toBe(false);
    expect(spawnSync('git', ['status', '--porcelain', '--', 'envs', 'main.ts'], { cwd: root, encoding: 'utf8' }).stdout).toBe(tracked);
  });
});

describe('synth refuses a selection that matches no environment', () => {
  it('ENVS="," selects nothing', () => {
    expect(problem(() => synthesize({ outdir: join(work, 'out'), envsDir: envs, selector: ',' }))).toBe(
      'ENVS: ",": selects no environment; expected a comma-separated list of: dev, local (or leave it unset for all)',
    );
    expect(existsSync(join(work, 'out'))).toBe(false);
  });

  it('an environment folder without env files', () => {
    const empty = join(work, 'no-envs');
    mkdirSync(empty);
    expect(problem(() => synthesize({ outdir: join(work, 'out'), envsDir: empty }))).toMatch(/no-envs: \(folder\): holds no environment files; expected one <name>\.yaml per environment/);
    expect(existsSync(join(work, 'out'))).toBe(false);
    expect(readdirSync(privateTmp)).toEqual([]);
  });
});

describe('synth updates its own output in place', () => {
  const outdir = () => join(work, 'cdktf.out');
  const stackDir = (name: string) => join(outdir(), 'stacks', name);

  it('writes a marker listing the stacks, and writes into an empty existing folder', () => {
    mkdirSync(outdir());
    const result = synthesize({ outdir: outdir(), envsDir: envs, selector: 'dev' });
    expect(JSON.parse(readFileSync(join(outdir(), MARKER), 'utf8')).stacks).toEqual([...result.stacks].sort());
    expect(readdirSync(outdir()).sort()).toEqual([MARKER, 'manifest.json', 'stacks']);
    expect(readdirSync(join(outdir(), 'stacks')).sort()).toEqual([...result.stacks].sort());
  });

  it("takes over a folder of empty folders only, such as the cdktf.out/stacks/ cdktf's App leaves on construction", () => {
    mkdirSync(join(outdir(), 'stacks', 'empty'), { recursive: true });
    const result = synthesize({ outdir: outdir(), envsDir: envs, selector: 'dev' });
    expect(readdirSync(join(outdir(), 'stacks')).filter((s) => s !== 'empty').sort()).toEqual([...result.stacks].sort());
  });

  it('replaces cdk.tf.json and keeps what terraform put beside it (.terraform/, the lock file)', () => {
    synthesize({ outdir: outdir(), envsDir: envs, selector: 'dev' });
    const dir = stackDir('dev-origin');
    mkdirSync(join(dir, '.terraform', 'providers'), { recursive: true });
    writeFileSync(join(dir, '.terraform', 'providers', 'marker'), 'installed');
    writeFileSync(join(dir, '.terraform.lock.hcl'), '# lock');
    writeFileSync(join(dir, 'cdk.tf.json'), '{"stale": true}');
    synthesize({ outdir: outdir(), envsDir: envs, selector: 'dev' });
    expect(readFileSync(join(dir, '.terraform', 'providers', 'marker'), 'utf8')).toBe('installed');
    expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toBe('# lock');
    expect(JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).stale).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('removes the stacks of environments no longer selected, but only files synth wrote', () => {
    synthesize({ outdir: outdir(), envsDir: envs, selector: 'dev,local' });
    mkdirSync(join(stackDir('local-origin'), '.terraform'));
    writeFileSync(join(stackDir('local-edge'), 'notes.txt'), 'mine');
    const result = synthesize({ outdir: outdir(), envsDir: envs, selector: 'dev' });
    expect(result.removed).toEqual(['local-keyless', 'local-origin', 'local-pki']);
    expect(result.kept).toEqual(['local-edge']);
    expect(readdirSync(stackDir('local-edge'))).toEqual(['notes.txt']);
    expect(readdirSync(join(outdir(), 'stacks')).sort()).toEqual([...result.stacks, 'local-edge'].sort());
    expect(JSON.parse(readFileSync(join(outdir(), MARKER), 'utf8')).stacks).toEqual([...result.stacks].sort());
  });

  it('never keeps state under the output: local-backend paths point at terraform-state/ of the state root', () => {
    const stateRoot = join(work, 'project');
    synthesize({ outdir: outdir(), envsDir: envs, selector: 'local', stateRoot });
    for (const name of ['local-pki', 'local-origin', 'local-edge', 'local-keyless']) {
      const json = JSON.parse(readFileSync(join(stackDir(name), 'cdk.tf.json'), 'utf8'));
      const path: string = json.terraform.backend.local.path;
      expect(path.startsWith('/')).toBe(false);
      // Terraform resolves the path from the stack folder it runs in. The custody stack's
      // state has a sibling folder of its own (`local-custody`).
      expect(resolve(stackDir(name), path)).toBe(join(stateRoot, 'terraform-state', isCustodyStack(name) ? 'local-custody' : 'local', `${name}.tfstate`));
      // Stacks read public state only (the custody stack reads the keyless tunnel's id), never custody state.
      for (const ref of Object.values<any>(json.data?.terraform_remote_state ?? {})) {
        expect(resolve(stackDir(name), ref.config.path)).toMatch(new RegExp(`^${stateRoot}/terraform-state/local/local-(keyless|origin)\\.tfstate$`));
      }
    }
  });

  it('by default anchors state at the repository root, in a git-ignored folder', () => {
    synthesize({ outdir: outdir(), envsDir: envs, selector: 'local' });
    const pathOf = (name: string) => resolve(stackDir(name), JSON.parse(readFileSync(join(stackDir(name), 'cdk.tf.json'), 'utf8')).terraform.backend.local.path);
    expect(pathOf('local-pki')).toBe(fromRoot('terraform-state', 'local-custody', 'local-pki.tfstate'));
    expect(pathOf('local-origin')).toBe(fromRoot('terraform-state', 'local', 'local-origin.tfstate'));
    for (const path of ['terraform-state/local-custody/local-pki.tfstate', 'terraform-state/local/local-origin.tfstate']) {
      const ignored = spawnSync('git', ['check-ignore', '-q', path], { cwd: fromRoot() });
      expect({ path, ignored: ignored.status }).toEqual({ path, ignored: 0 });
    }
  });
});

describe('a failed synth leaves nothing behind', () => {
  it('an output that cannot be written (stacks/ is a file): error, previous output unchanged, no temporary folder', () => {
    const outdir = join(work, 'cdktf.out');
    synthesize({ outdir, envsDir: envs, selector: 'dev' });
    const dir = join(outdir, 'stacks', 'dev-edge');
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'in the way');
    const before = snapshot(outdir);
    expect(() => synthesize({ outdir, envsDir: envs, selector: 'dev' })).toThrow(/"stacks\/dev-edge" is not a folder; synth writes stack files into it/);
    expect(snapshot(outdir)).toEqual(before);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  const app = (env: NodeJS.ProcessEnv) => spawn('node', ['scripts/app.mjs'], { cwd: fromRoot(), env: { ...process.env, ...env, TMPDIR: privateTmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  const finished = (child: ReturnType<typeof app>) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('close', (code) => done({ code, stdout, stderr }));
    });

  it('the CLI: CDKTF_OUTDIR= (empty) exits 1 with one line and writes nothing', async () => {
    const r = await finished(app({ CDKTF_OUTDIR: '', ENVS: 'dev', EDGE_ENVS_DIR: envs }));
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: 'invalid configuration: CDKTF_OUTDIR: (output folder): is set but empty; unset it for cdktf.out, or name a folder of its own such as "cdktf.out"\nNothing was written.\n',
    });
    expect(existsSync(fromRoot(MARKER))).toBe(false);
  }, BUDGET.test);

  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('the CLI stopped by %s while synthesizing exits %d and leaves no temporary folder or file', async (signal, code) => {
    const outdir = join(work, 'cdktf.out');
    const child = app({ CDKTF_OUTDIR: outdir, ENVS: 'dev,local', EDGE_ENVS_DIR: envs });
    const result = finished(child);
    // The signal goes out the moment synth's private temporary folder exists.
    let sent = false;
    while (!sent && child.exitCode === null) {
      if (readdirSync(privateTmp).some((f) => f.startsWith('edge-synth-'))) sent = child.kill(signal);
      else await new Promise((r) => setTimeout(r, 2));
    }
    const r = await result;
    expect(sent).toBe(true);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: `synth: stopped by ${signal}\n` });
    expect(readdirSync(privateTmp)).toEqual([]);
    if (existsSync(outdir)) {
      const files = Object.keys(snapshot(outdir));
      expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
      // Synthesis is synchronous, so the signal is handled once it has finished: the output is complete and marked.
      expect(files).toContain(MARKER);
    }
  }, BUDGET.test);
});
