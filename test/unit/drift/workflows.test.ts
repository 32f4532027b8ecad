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
    expect(workflowFiles().map((f) => f.split('/').pop())).toEqual(['ci.yml', 'drift.yml', 'plan.yml']);
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

  it('pin every action to a full commit SHA with its version in a comment, one SHA per action version', () => {
    const pins = new Map<string, string>();
    for (const name of ['ci.yml', 'drift.yml', 'plan.yml']) {
      for (const uses of steps(workflow(name)).map((s) => s.uses).filter(Boolean)) expect(uses).toMatch(/^[\w-]+\/[\w/-]+@[0-9a-f]{40}$/);
      for (const line of readFileSync(fromRoot('.github', 'workflows', name), 'utf8').split('\n').filter((l) => /^\s*(- )?uses:/.test(l))) {
        const m = /uses: ([\w/-]+)@([0-9a-f]{40}) +# (v\d+\.\d+\.\d+)$/.exec(line.trim().replace(/^- /, ''));
        expect({ line, pinned: m !== null }).toEqual({ line, pinned: true });
        const action = m![1].split('/').slice(0, 2).join('/');
        expect({ action, sha: pins.get(`${action} ${m![3]}`) ?? m![2] }).toEqual({ action, sha: m![2] });
        pins.set(`${action} ${m![3]}`, m![2]);
      }
    }
    expect(pins.size).toBeGreaterThanOrEqual(6);
  });

  it('keep the actions and npm packages current through Dependabot', () => {
    const config = parse(readFileSync(fromRoot('.github', 'dependabot.yml'), 'utf8'));
    expect(config.version).toBe(2);
    expect(config.updates.map((u: any) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
  });

  it('on pull requests: type check, lint, tests, synth and the review against the base branch as job summary', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on)).toContain('pull_request');
    expect(ci.permissions).toEqual({ contents: 'read' });
    const script = runs(ci);
    for (const command of ['npm ci', 'npm run typecheck', 'npm run lint', 'npm test', 'npm run synth']) expect(script).toContain(command);
    expect(script).toMatch(/npm run --silent review -- --base "origin\/\$BASE_REF" --markdown "\$GITHUB_STEP_SUMMARY"/);
  });

  it('drift: on a schedule and on demand, one job per real environment in its own read-only GitHub environment, OIDC role, no lock, notifies', () => {
    const drift = workflow('drift.yml');
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(drift.permissions).toEqual({ contents: 'read' });
    expect(drift.jobs.drift.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
    // Not the deploy environment: no approval rule can make the nightly run wait.
    expect(drift.jobs.drift.environment).toBe('${{ matrix.env }}-drift');
    const realEnvs = listEnvironments().filter((e) => e !== 'local');
    expect([...drift.on.workflow_dispatch.inputs.environment.options].sort()).toEqual(['all', ...realEnvs].sort());
    const everyEnv = /'(\[[^']*\])'/.exec(drift.jobs.drift.strategy.matrix.env)![1];
    expect(JSON.parse(everyEnv).sort()).toEqual(realEnvs);
    expect(drift.jobs.drift.strategy['fail-fast']).toBe(false);
    const aws = steps(drift).find((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws.with['role-to-assume']).toBe('${{ vars.DRIFT_ROLE_ARN }}');
    expect(Object.keys(aws.with)).not.toContain('aws-access-key-id');
    const script = runs(drift);
    expect(script).toMatch(/git checkout --quiet "\$tag"/);
    const report = steps(drift).find((s) => String(s.run).includes('npm run --silent drift'));
    expect(report.env.CLOUDFLARE_API_TOKEN).toBe('${{ secrets.CLOUDFLARE_API_TOKEN }}');
    expect(report.run).toContain('--json "drift-$DRIFT_ENV.json"');
    expect(steps(drift).some((s) => String(s.uses).startsWith('actions/upload-artifact@'))).toBe(true);
    const notify = steps(drift).find((s) => String(s.run).includes('npm run --silent drift-notify'));
    expect(notify.env.DRIFT_WEBHOOK_URL).toBe('${{ vars.DRIFT_WEBHOOK_URL }}');
    // Drift or an error still fails the job, after the report is kept and told.
    const fail = steps(drift).at(-1);
    expect(fail.if).toBe("steps.drift.outputs.exit != '0'");
    const terraform = steps(drift).find((s) => String(s.uses).startsWith('hashicorp/setup-terraform@'));
    expect(terraform.with.terraform_wrapper).toBe(false);
  });

  it('plan: on pull requests, a plan-only role per environment, the review joined, one comment per environment', () => {
    const plan = workflow('plan.yml');
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(plan.permissions).toEqual({ contents: 'read' });
    expect(plan.jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    expect(plan.jobs.plan.strategy.matrix.env.sort()).toEqual(listEnvironments().filter((e) => e !== 'local'));
    const aws = steps(plan).find((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws.with['role-to-assume']).toBe('${{ vars.PLAN_ROLE_ARN }}');
    const script = runs(plan);
    expect(script).toMatch(/npm run --silent plan -- --env "\$PLAN_ENV" --json "plan-\$PLAN_ENV\.json"/);
    expect(script).toMatch(/npm run --silent review -- --env "\$PLAN_ENV" --base "origin\/\$BASE_REF" --json "review-\$PLAN_ENV\.json"/);
    expect(script).toMatch(/npm run --silent pr-comment -- --plan "plan-\$PLAN_ENV\.json" --review "review-\$PLAN_ENV\.json"\s+--artifact-url "\$ARTIFACT_URL" --post --pr "\$PR_NUMBER"/);
  });

  it('scan: policy SARIF and Trivy over the synthesized stacks, both uploaded to code scanning', () => {
    const ci = workflow('ci.yml');
    expect(ci.jobs.scan.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
    const scan = ci.jobs.scan.steps;
    expect(scan.map((s: any) => s.run ?? '').join('\n')).toContain('npm run --silent policy -- --sarif policy.sarif');
    const trivy = scan.find((s: any) => String(s.uses).startsWith('aquasecurity/trivy-action@'));
    expect(trivy.with).toMatchObject({ 'scan-type': 'config', 'scan-ref': 'cdktf.out/stacks', format: 'sarif', trivyignores: '.trivyignore' });
    const uploads = scan.filter((s: any) => String(s.uses).startsWith('github/codeql-action/upload-sarif@')).map((s: any) => s.with.sarif_file);
    expect(uploads).toEqual(['policy.sarif', 'trivy.sarif']);
  });

  it('every accepted Trivy finding has a reason and an expiry', () => {
    const lines = readFileSync(fromRoot('.trivyignore'), 'utf8').split('\n');
    const entries = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim() && !l.startsWith('#'));
    expect(entries.length).toBeGreaterThan(0);
    for (const { l, i } of entries) {
      expect(l).toMatch(/^AVD-[A-Z]+-\d{4} exp:\d{4}-\d{2}-\d{2}$/);
      expect(lines[i - 1]).toMatch(/^# \S/);
    }
  });
});
