import { rmSync } from 'node:fs';
import { listEnvironments } from '../../envs/load';
import { checkStack, type StackLike } from '../../conformance/conform';
import { readSnapshot } from '../../conformance/regenerate';
import { PROVIDER_SOURCES } from '../../conformance/sources';
import { copyOfDev } from '../support/env-files';
import { checkPolicy, policyStacks } from '../../tools/policy/run';
import { scanForSecrets } from '../../tools/policy/secret-scan';
import { synthesizeJson } from '../../tools/synth/synth-json';

/**
 * Adding an environment is copying dev under a new name with its own zone (README
 * "Add an environment"). The checks the suite runs over every committed environment
 * must hold for such a copy too, with no test edit: it loads, synthesizes into the
 * four stacks, passes the security policy, conforms to the pinned provider schemas
 * and carries no secret.
 */
describe('a copy of dev under a new name, with its own zone', () => {
  const { dir, name } = copyOfDev();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const synthesized = synthesizeJson(undefined, dir);
  const own = [...synthesized.stacks].filter(([stack]) => stack.startsWith(`${name}-`));

  it('is listed with the committed environments and synthesizes into the same stacks as dev', () => {
    expect(listEnvironments(dir)).toEqual([...listEnvironments(), name].sort());
    const concerns = (env: string) => [...synthesized.stacks.keys()].filter((s) => s.startsWith(`${env}-`)).map((s) => s.slice(env.length + 1)).sort();
    expect(concerns(name)).toEqual(concerns('dev'));
    expect(concerns(name)).toEqual(expect.arrayContaining(['pki', 'origin', 'edge']));
  });

  it('passes the security policy like every environment', () => {
    const report = checkPolicy(policyStacks(new Map(own), synthesized.environments.filter((e) => e.config.name === name)));
    expect(report.findings.filter((f) => !f.suppressedBy)).toEqual([]);
  });

  it('conforms to the pinned Cloudflare and tls provider schemas', () => {
    const snapshots = PROVIDER_SOURCES.map((p) => readSnapshot(p.provider, p.version));
    for (const [stack, json] of own) expect(checkStack(stack, json as StackLike, snapshots)).toEqual([]);
  });

  it('carries no secret in its Terraform JSON', () => {
    for (const [stack, json] of own) expect({ stack, hits: scanForSecrets(json) }).toEqual({ stack, hits: [] });
  });
});
