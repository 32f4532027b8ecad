import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyServersAtOnce, outageRisks } from '../../tools/plan/outage-risk';
import type { StackReport } from '../../tools/plan/plan-report';
import { planStacks } from '../../tools/plan/plan-runner';
import { budgetFor } from '../support/budget';
import { withField } from '../support/env-files';
import { configurationOnly } from '../support/plan-options';
import { SHARED_LOCAL_SETUP_BUDGET, sharedLocalEnvironment, sharedLocalUnavailableReason, type SharedLocalEnvironment } from '../support/shared-local';
import { describeUnless } from '../support/skip';

const describeMoto = describeUnless(sharedLocalUnavailableReason(), 'moto test of rolling key servers');

/**
 * Key servers roll one per apply (docs/keyless.md, "Rolling key servers"), planned
 * against the shared `local` environment (two key servers applied to moto): each case
 * writes a changed env file and plans the keyless stack; nothing is applied.
 */
describeMoto('key servers roll: a template, AMI or user-data change never replaces more than one per apply', () => {
  let local: SharedLocalEnvironment;
  beforeAll(async () => {
    local = await sharedLocalEnvironment();
  }, SHARED_LOCAL_SETUP_BUDGET);

  it('template edit: no key server replaced; advancing one host replaces that host; a user-data change replaces only the host not held', async () => {
    const plans = await local.exclusive(async () => {
      const latest = Object.entries(local.state()).find(([address, values]) => address.startsWith('aws_launch_template.KeyServerLaunchTemplate') && values)![1].latest_version as number;
      // The four plans only read (no refresh, nothing applied), so they run side by side,
      // each in a work dir of its own.
      const plan = async (name: string, edit: (doc: Record<string, any>) => Record<string, any>): Promise<StackReport> => {
        const options = local.runOptions();
        const dir = mkdtempSync(join(options.workDir, `envs-${name}-`));
        writeFileSync(join(dir, 'local.yaml'), JSON.stringify(edit(local.document)));
        // What an edit replaces is a question about the code against the state: no refresh.
        const report = await planStacks({ ...configurationOnly(options), envsDir: dir, stacks: ['keyless'], mode: 'plan' });
        const keyless = report.stacks.find((s) => s.stack === 'local-keyless')!;
        if (keyless.status === 'error') throw new Error(`plan ${name} failed: ${keyless.error}`);
        return keyless;
      };
      const templateEdit = (doc: Record<string, any>) => withField(doc, 'keyless.instanceType', 't3.medium');
      const userDataEdit = (doc: Record<string, any>) => withField(doc, 'keyless.port', 2408);
      const [templateEditPlan, advanceOne, userDataHeld, userDataAll] = await Promise.all([
        plan('template', templateEdit),
        plan('advance', (doc) => withField(templateEdit(doc), 'keyless.keyServers[0].launchTemplateVersion', latest + 1)),
        plan('user-data-held', (doc) => withField(userDataEdit(doc), 'keyless.keyServers[1].holdBootConfig', true)),
        plan('user-data-all', userDataEdit),
      ]);
      return { latest, templateEdit: templateEditPlan, advanceOne, userDataHeld, userDataAll };
    });
    const replacedHosts = (s: StackReport) => s.changes.filter((c) => c.type === 'aws_instance' && (c.action === 'replace' || c.action === 'delete')).map((c) => c.constructPath);

    // The template gets a new version; both key servers stay pinned to theirs.
    expect(plans.templateEdit.changes.some((c) => c.type === 'aws_launch_template' && c.action === 'update')).toBe(true);
    expect(replacedHosts(plans.templateEdit)).toEqual([]);
    // Advancing key-a to the new version replaces key-a, and only key-a.
    expect(replacedHosts(plans.advanceOne)).toEqual(['local-keyless/KeyServer-key-a/Instance']);
    // A changed boot configuration with key-b held replaces key-a only.
    expect(replacedHosts(plans.userDataHeld)).toEqual(['local-keyless/KeyServer-key-a/Instance']);
    // Without a hold it would replace both: the plan marks both, and apply refuses the round.
    expect(replacedHosts(plans.userDataAll).sort()).toEqual(['local-keyless/KeyServer-key-a/Instance', 'local-keyless/KeyServer-key-b/Instance']);
    const all = { stacks: [plans.userDataAll] };
    expect(keyServersAtOnce(all).map((r) => r.serves)).toEqual(['key server key-a', 'key server key-b']);
    expect(outageRisks({ stacks: [plans.advanceOne] }).filter((r) => r.what === 'key server').map((r) => r.why)).toEqual([expect.stringMatching(/^replaced because `launch_template\[0\]`/)]);
    expect(keyServersAtOnce({ stacks: [plans.advanceOne] })).toEqual([]);
    console.log(
      `keyless-roll plan counts (key servers replaced): template edit ${replacedHosts(plans.templateEdit).length}, advance key-a ${replacedHosts(plans.advanceOne).length}, user-data with key-b held ${replacedHosts(plans.userDataHeld).length}, user-data unheld ${replacedHosts(plans.userDataAll).length} (refused by apply)`,
    );
  }, budgetFor('sharedEnvironmentTurn', 'planLocal', 'planLocal', 'planLocal', 'planLocal'));
});
