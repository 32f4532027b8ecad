import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectAwsOnly } from '../../tools/validate/aws-projection';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { resourcesOf, synthStacks, type StackJson } from '../support/synth';

/**
 * Issue 23: per-hostname resources take their construct id from the hostname, and the
 * addresses the previous (position-keyed) code produced move to the new ones.
 */
const FIXTURE = join(__dirname, '../fixtures/position-ids/origin-addresses-f5e5b83.json');
const previous = JSON.parse(readFileSync(FIXTURE, 'utf8')).stacks as Record<string, string[]>;

const addressesOf = (stack: StackJson): Set<string> =>
  new Set(Object.entries<Record<string, unknown>>(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)));
const movesOf = (stack: StackJson): Array<{ from: string; to: string }> => (stack as { moved?: Array<{ from: string; to: string }> }).moved ?? [];

describe('construct ids are keyed by content, and the previous addresses move', () => {
  const all = synthStacks();

  it.each(Object.keys(previous))('%s: the moves map exactly the previous addresses onto today\'s', (name) => {
    const stack = all.get(name)!;
    const moves = new Map(movesOf(stack).map((m) => [m.from, m.to]));
    const before = new Set(previous[name]);
    for (const from of moves.keys()) expect({ from, inPrevious: before.has(from) }).toEqual({ from, inPrevious: true });
    expect(new Set([...before].map((a) => moves.get(a) ?? a))).toEqual(addressesOf(stack));
  });

  it('no per-hostname resource of any stack is named by a list position', () => {
    for (const [name, stack] of all) {
      for (const address of addressesOf(stack)) expect({ name, address, positional: /\.(Domain|Public)\d+_/.test(address) }).toEqual({ name, address, positional: false });
    }
  });

  it('the AWS-only projection keeps only the moves of AWS resources', () => {
    const origin = all.get('dev-origin')!;
    expect(movesOf(origin).some((m) => m.from.startsWith('cloudflare_dns_record.'))).toBe(true);
    const projected = projectAwsOnly(origin).json as StackJson;
    expect(movesOf(projected).length).toBeGreaterThan(0);
    expect(movesOf(projected).every((m) => m.from.startsWith('aws_') && m.to.startsWith('aws_'))).toBe(true);
  });

  it('removing the first hostname keeps the second one\'s addresses (no position shift)', () => {
    const doc = baseEnvironment('prod');
    const both = synthStacks('prod').get('prod-origin')!;
    const dir = envDir({ prod: withField(doc, 'hostnames', (doc.hostnames as unknown[]).slice(1)) });
    let one: StackJson;
    try {
      one = synthStacks('prod', dir).get('prod-origin')!;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const partners = (s: StackJson) => Object.entries<any>(resourcesOf(s, 'aws_api_gateway_domain_name')).filter(([, d]) => d.domain_name === 'partners.example.org').map(([n]) => n);
    expect(partners(one)).toEqual(partners(both));
    expect(partners(one)[0]).toMatch(/^Domain-partnersexampleorg_Domain_/);
  });
});
