import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackReport, type StackReport, type TerraformPlanJson } from '../../tools/plan/plan-report';
import { applyStacks, planStack, prepareEnvironment, prepareStacks, terraformEnvFor, type StackRunOptions } from '../../tools/plan/plan-runner';
import { runInitialized } from '../../tools/plan/init';
import { terraform } from '../../tools/terraform';
import { fromRoot } from '../../lib/paths';
import { outageRisks } from '../../tools/plan/outage-risk';
import { budgetFor } from '../support/budget';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { motoEnv, motoUnavailableReason, startMoto, type Moto } from '../support/moto';
import { configurationOnly } from '../support/plan-options';
import { runDir } from '../support/run-dir';
import { terraformUnavailableReason } from '../../tools/terraform';
import { describeUnless } from '../support/skip';

const describeMoto = describeUnless(motoUnavailableReason() ?? terraformUnavailableReason(), 'moto test of content-keyed identities (migration and hostname edits)');

const A = 'api.example.test';
const B = 'partners.example.test';
const C = 'status.example.test';
const X = 'billing.example.test';
const B2 = 'partners2.example.test';

/**
 * Issue 23 on a private moto (the shared environment holds one hostname and the new
 * addressing; this file needs three hostnames and the previous addressing):
 *
 * 1. `local` (AWS part, three protected hostnames) is applied with the addresses the
 *    previous code produced (position-keyed: `Domain0`, `ServerCertificates/Public0`),
 *    made from today's JSON by undoing its `moved` blocks; the unit test
 *    test/unit/construct-ids.test.ts proves those are exactly the addresses the previous
 *    commit synthesized. Today's code then plans: moves only.
 * 2. After applying the moves, each edit of the hostname list is planned: remove the
 *    first, reorder, insert one in the middle, rename one. Each plan touches only the
 *    resources of the hostnames that changed.
 *
 * Only the origin stack has per-hostname AWS resources (the edge stack is Cloudflare
 * only, so its AWS-only projection is empty); keyless is off here.
 */
describeMoto('content-keyed identities on moto: migration by moves, edits touch only what they name', () => {
  let moto: Moto;
  let home: string;
  let stateRoot: string;
  let workDir: string;
  const reports: Record<string, StackReport> = {};

  const envsWith = (hostnames: readonly string[]): string => {
    let doc = withField(baseEnvironment('local'), 'aws.endpoint', moto.endpoint);
    doc = withField(doc, 'hostnames', hostnames.map((name) => ({ name })));
    doc = withField(doc, 'keyless', { enabled: false });
    doc = withField(doc, 'verify', undefined);
    return envDir({ local: doc });
  };
  const options = (envsDir: string, stacks: readonly string[]): StackRunOptions => ({
    env: 'local',
    awsOnly: true,
    envsDir,
    workDir,
    stateRoot,
    stacks,
    terraformEnv: motoEnv(),
  });
  /**
   * The origin stack planned as `npm run plan` plans it (planStack, the report of
   * stackReport), with terraform's plan JSON kept: the fixture below is recorded from the
   * same plan instead of a second one. Every question here is about the code against
   * the state, so no refresh.
   */
  const planOriginWithJson = async (hostnames: readonly string[]): Promise<{ report: StackReport; plan?: TerraformPlanJson }> => {
    const envs = envsWith(hostnames);
    try {
      const run = configurationOnly(options(envs, ['origin']));
      const { stacks: [origin], config } = prepareEnvironment(run);
      const result = await planStack(origin, terraformEnvFor(run));
      const report = stackReport(result, config.drift.knownEmulatorGaps);
      if (report.status === 'error') throw new Error(`plan of local-origin failed: ${report.error}`);
      return { report, plan: result.plan };
    } finally {
      rmSync(envs, { recursive: true, force: true });
    }
  };
  const planOrigin = async (hostnames: readonly string[]): Promise<StackReport> => (await planOriginWithJson(hostnames)).report;

  beforeAll(async () => {
    moto = await startMoto();
    home = mkdtempSync(join(runDir(), 'identities-'));
    stateRoot = join(home, 'state');
    workDir = join(home, 'work');
    mkdirSync(workDir, { recursive: true });
  }, budgetFor('motoStart'));

  afterAll(async () => {
    await moto?.stop();
  });

  it(
    'applies three hostnames with the previous addressing; today\'s code plans moves only, then each edit touches only its hostnames',
    async () => {
      const envs = envsWith([A, B, C]);
      try {
        // The pki stack has no AWS part; applying it writes the state the origin reads.
        const pki = await applyStacks(options(envs, ['pki']));
        expect(pki.map((r) => [r.stack, r.ok, r.ok ? '' : r.output])).toEqual([['local-pki', true, '']]);

        // The origin as the previous code addressed it: today's JSON with its moves undone.
        const [origin] = prepareStacks(options(envs, ['origin']));
        const file = join(origin.dir, 'cdk.tf.json');
        const today = JSON.parse(readFileSync(file, 'utf8'));
        const moves: Array<{ from: string; to: string }> = today.moved ?? [];
        expect(moves.length).toBe(12); // 3 hostnames x (domain, mapping, certificate, validation); the validation records are Cloudflare
        let previous = JSON.stringify({ ...today, moved: undefined });
        for (const m of moves) previous = previous.split(m.to.split('.')[1]).join(m.from.split('.')[1]);
        writeFileSync(file, previous);
        const env = { ...motoEnv() };
        const applied = await runInitialized(origin.dir, env, () => terraform(['apply', '-auto-approve', '-input=false', '-no-color', '-parallelism=4'], origin.dir, env));
        if (applied.failedInit) throw new Error(`init failed: ${applied.failedInit.stderr}`);
        if (applied.run.code !== 0) throw new Error(`apply with the previous addressing failed: ${applied.run.stderr.slice(-3000)}`);
        const state = await terraform(['state', 'list'], origin.dir, env);
        for (const m of moves) expect(state.stdout).toContain(m.from);
      } finally {
        rmSync(envs, { recursive: true, force: true });
      }

      // Migration: moves only, nothing created, updated, replaced or deleted.
      reports.migration = await planOrigin([A, B, C]);
      const migration = reports.migration;
      expect({ changes: migration.changes.map((c) => `${c.action} ${c.address}`), counts: migration.counts }).toEqual({
        changes: [],
        counts: { create: 0, update: 0, replace: 0, delete: 0, read: 0, forget: 0 },
      });
      expect(migration.moved?.length).toBe(12);
      for (const m of migration.moved ?? []) expect(m.from).toMatch(/\.(Domain|ServerCertificates_Public)\d_/);

      // Record the moves. A refresh-only apply records them and touches nothing: a full
      // apply would also retry moto's missing UpdateDomainName for the named mTLS gap.
      const envs2 = envsWith([A, B, C]);
      try {
        const [origin] = prepareStacks(options(envs2, ['origin']));
        const env = { ...motoEnv() };
        const recorded = await runInitialized(origin.dir, env, () => terraform(['apply', '-refresh-only', '-auto-approve', '-input=false', '-no-color'], origin.dir, env));
        if (recorded.failedInit || recorded.run.code !== 0) throw new Error(`recording the moves failed: ${(recorded.failedInit ?? recorded.run).stderr.slice(-3000)}`);
      } finally {
        rmSync(envs2, { recursive: true, force: true });
      }
      const settled = await planOrigin([A, B, C]);
      expect({ changes: settled.changes.map((c) => c.address), moved: settled.moved ?? [] }).toEqual({ changes: [], moved: [] });

      // The edits. Every change must belong to a hostname the edit names.
      // A resource to delete has no construct path (it left the code): its address carries the slug of its id.
      const all = [A, B, C, X, B2];
      const hostOf = (c: StackReport['changes'][number]): string | undefined =>
        c.constructPath?.match(/\/(?:Domain|Public)-([^/]+)\//)?.[1] ?? all.find((h) => new RegExp(`\\.(?:ServerCertificates_Public|Domain)-${h.replace(/\./g, '')}_`).test(c.address));
      const edits: Array<[string, string[], string[]]> = [
        ['remove the first', [B, C], [A]],
        ['reorder', [C, A, B], []],
        ['insert in the middle', [A, X, B, C], [X]],
        ['rename one', [A, B2, C], [B, B2]],
      ];
      let removalPlan: TerraformPlanJson | undefined;
      for (const [name, hostnames, touched] of edits) {
        const { report, plan } = await planOriginWithJson(hostnames);
        reports[name] = report;
        if (name === 'remove the first') removalPlan = plan;
        const hosts = [...new Set(report.changes.map((c) => hostOf(c) ?? `(not per-hostname) ${c.address}`))].sort();
        expect({ name, hosts }).toEqual({ name, hosts: [...touched].sort() });
        expect({ name, replaced: report.counts.replace, updated: report.counts.update }).toEqual({ name, replaced: 0, updated: 0 });
      }
      expect(reports['remove the first'].counts).toMatchObject({ create: 0, delete: 4 });
      // The deleted domain still says which hostname it served, and every outage risk names it.
      expect(reports['remove the first'].changes.filter((c) => c.type === 'aws_api_gateway_domain_name').map((c) => c.identity)).toEqual([A]);
      const risks = outageRisks({ stacks: [reports['remove the first']] });
      expect(risks.map((r) => `${r.what}: ${r.serves}`).sort()).toEqual(['ACM certificate in use by an API domain: api.example.test', 'API base path mapping: api.example.test', 'API custom domain: api.example.test']);

      // The removal's plan JSON, recorded for the PR comment example (docs/examples/pr-comment.md):
      // RECORD_PLAN_FIXTURES=1 writes test/fixtures/plans/moto-hostname-removal.json.
      expect(removalPlan).toBeDefined();
      const recorded = {
        format_version: removalPlan!.format_version,
        terraform_version: removalPlan!.terraform_version,
        resource_changes: (removalPlan!.resource_changes ?? []).filter((c) => !c.change.actions.every((a) => a === 'no-op' || a === 'read')),
      };
      expect(recorded.resource_changes.map((c) => c.change.actions.join('+'))).toEqual(expect.arrayContaining(['delete']));
      if (process.env.RECORD_PLAN_FIXTURES === '1') writeFileSync(fromRoot('test', 'fixtures', 'plans', 'moto-hostname-removal.json'), `${JSON.stringify(recorded, null, 2)}\n`);
      expect(reports.reorder.changes).toEqual([]);
      expect(reports['insert in the middle'].counts).toMatchObject({ create: 4, delete: 0 });
      expect(reports['rename one'].counts).toMatchObject({ create: 4, delete: 4 });
      console.log(
        `identities-moto plan counts:\n${Object.entries(reports)
          .map(([name, r]) => `  ${name}: create ${r.counts.create}, update ${r.counts.update}, replace ${r.counts.replace}, delete ${r.counts.delete}, moved ${r.moved?.length ?? 0}`)
          .join('\n')}`,
      );
    },
    budgetFor('applyLocal', 'applyLocal', 'planLocal', 'planLocal', 'planLocal', 'planLocal', 'planLocal', 'planLocal', 'planLocal'),
  );
});
