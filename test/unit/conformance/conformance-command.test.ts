import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAccountStackName } from '../../../lib/naming';
import { executeCommand } from '../../../tools/cli';
import { conformanceCommand } from '../../../tools/conformance/command';
import { checkConformance } from '../../../conformance/run';
import { readSnapshot } from '../../../conformance/regenerate';
import { replacedUploads, SEMANTIC_RULES } from '../../../conformance/semantic';
import { prepareStacks } from '../../../tools/plan/plan-runner';
import { runInDependencyOrder } from '../../../tools/plan/stack-graph';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { listEnvironments } from '../../../envs/load';
import { testEnvsDir } from '../../support/env-files';
import { scratchDir } from '../../support/scratch';

/**
 * `npm run conformance` in process, the validators and semantic rules over every
 * environment, the account stack's place in the graph apply uses, and the #7158 choice.
 */

const synthesized = synthesizeJson(undefined, testEnvsDir());

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += s), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += s), true));
  try {
    return { code: await executeCommand(conformanceCommand, argv, {}), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Writes stacks as `npm run synth` lays them out: <dir>/stacks/<stack>/cdk.tf.json and <dir>/manifest.json. */
function writeOut(stacks: ReadonlyMap<string, unknown>, dependencies: ReadonlyMap<string, readonly string[]>): string {
  const dir = scratchDir('conformance-');
  const manifest: Record<string, unknown> = {};
  for (const [name, json] of stacks) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    manifest[name] = { synthesizedStackPath: `stacks/${name}/cdk.tf.json`, dependencies: dependencies.get(name) ?? [] };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks: manifest }));
  return dir;
}

describe('validators and semantic rules over every environment', () => {
  const environments = listEnvironments();
  it('synthesized every environment', () => {
    for (const env of environments) expect([...synthesized.stacks.keys()].some((s) => s.startsWith(`${env}-`))).toBe(true);
  });

  it.each(environments)('%s: no finding and no skipped check', (env) => {
    const names = [...synthesized.stacks.keys()].filter((n) => n.startsWith(`${env}-`) || parseAccountStackName(n) !== undefined);
    const report = checkConformance({ stacks: new Map(names.map((n) => [n, synthesized.stacks.get(n)!])), dependencies: synthesized.dependencies });
    expect(report.findings).toEqual([]);
    expect(report.skipped).toEqual([]);
  });

  it('reads from the provider snapshot which certificate uploads are replaced on change (they need create_before_destroy)', () => {
    expect(replacedUploads(readSnapshot('cloudflare', '5.22.0'))).toEqual([
      'cloudflare_authenticated_origin_pulls_certificate',
      'cloudflare_authenticated_origin_pulls_hostname_certificate',
      'cloudflare_keyless_certificate',
      'cloudflare_mtls_certificate',
      'cloudflare_zero_trust_access_mtls_certificate',
    ]);
  });

  it('names every semantic rule with an id and what it checks', () => {
    expect(Object.keys(SEMANTIC_RULES).sort()).toEqual([
      'CF-AOP-HOSTNAME-ENTRY', 'CF-APISHIELD-CA-ORDER', 'CF-ASSOC-CA', 'CF-ASSOC-COVERS-BLOCK', 'CF-BLOCK-AFTER-ASSOC', 'CF-CERT-CREATE-BEFORE-DESTROY',
      'CF-RULESET-KIND-PHASE', 'CF-SINGLETON-OWNER', 'CF-WAF-EXPRESSION', 'CF-ZONE-SSL-STRICT', 'ORDER-ACCOUNT-AFTER-EDGE', 'TLS-RANGE-LOWEST',
    ]);
  });
});

describe('npm run conformance, in process', () => {
  let clean: string;
  let broken: string;
  beforeAll(() => {
    clean = writeOut(synthesized.stacks, synthesized.dependencies);
    const stacks = new Map([...synthesized.stacks].map(([n, j]) => [n, structuredClone(j)]));
    const edge = stacks.get('dev-edge')!;
    const ssl = Object.values<any>(edge.resource.cloudflare_zone_setting).find((s) => s.setting_id === 'ssl');
    ssl.value = 'full';
    broken = writeOut(stacks, synthesized.dependencies);
  });
  afterAll(() => {
    for (const d of [clean, broken]) rmSync(d, { recursive: true, force: true });
  });

  it('exits 0 on the synthesized stacks under --stacks, and says how many it checked', async () => {
    const r = await run(['--stacks', join(clean, 'stacks')]);
    expect(r).toEqual({ code: 0, stdout: `0 findings in ${synthesized.stacks.size} stacks\n`, stderr: '' });
  });

  it('exits 1 with one line per finding: rule, stack, resource, attribute, what the provider would do', async () => {
    const r = await run(['--stacks', join(broken, 'stacks'), '--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^CF-ZONE-SSL-STRICT dev-edge cloudflare_zone_setting\.Zone_Setting-ssl_\w+ value: is "full": Cloudflare connects to the origin without verifying its certificate/m);
    expect(r.stdout).toMatch(/^1 finding in \d+ stacks$/m);
  });

  it('synthesizes the selected environments itself without --stacks', async () => {
    const r = await run(['--env', 'dev']);
    expect(r).toEqual({ code: 0, stdout: expect.stringMatching(/^0 findings in \d+ stacks\n$/), stderr: '' });
  });

  it('exits 64 on a usage error and 1 on a folder without stacks', async () => {
    expect((await run(['--stacks'])).code).toBe(64);
    expect((await run(['--nope'])).code).toBe(64);
    const empty = await run(['--stacks', tmpdir() + '/no-such-conformance-dir']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/--stacks: .*expected a folder holding <stack>\/cdk\.tf\.json/);
  });
});

describe('the account stack in the graph apply and deploy use', () => {
  it('is applied after every edge stack whose Access CA its hostname settings name', async () => {
    const account = [...synthesized.stacks.keys()].find((n) => parseAccountStackName(n) !== undefined)!;
    const uploaders = [...synthesized.stacks].filter(([, j]) => j.resource?.cloudflare_zero_trust_access_mtls_certificate).map(([n]) => n);
    expect(uploaders.length).toBeGreaterThan(0);
    expect([...(synthesized.dependencies.get(account) ?? [])].sort()).toEqual(expect.arrayContaining(uploaders));

    // What apply does for the owning environment: prepare the stacks, then walk the graph.
    const workDir = scratchDir('conformance-order-');
    try {
      const prepared = prepareStacks({ env: 'prod', envsDir: testEnvsDir(), workDir });
      const order: string[] = [];
      await runInDependencyOrder(
        prepared.map((s) => s.name),
        new Map(prepared.map((s) => [s.name, s.dependencies])),
        async (stack) => {
          order.push(`start ${stack}`);
          await new Promise((r) => setTimeout(r, 5));
          order.push(`end ${stack}`);
        },
        4,
      );
      expect(order.indexOf(`start ${account}`)).toBeGreaterThan(order.indexOf('end prod-edge'));
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});

describe('#7158: what API Shield receives (docs/edge.md)', () => {
  it.each(listEnvironments())('%s: the API Shield CA bundle lists each issuing CA before its root', (env) => {
    const edge = synthesized.stacks.get(`${env}-edge`)!;
    for (const m of Object.values<any>(edge.resource?.cloudflare_mtls_certificate ?? {})) {
      // The edge reads each CA from what the custody stack publishes (SSM `ca-g<n>-root` / `-intermediate`).
      const order = [...String(m.certificates).matchAll(/Custody-ca-g(\d+)-(root|intermediate)/g)].map((x) => `G${x[1]} ${x[2] === 'root' ? 'Root' : 'Intermediate'}`);
      expect(order.length).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < order.length; i += 2) expect([order[i], order[i + 1]]).toEqual([order[i].replace('Root', 'Intermediate'), order[i].replace('Intermediate', 'Root')]);
    }
  });
});
