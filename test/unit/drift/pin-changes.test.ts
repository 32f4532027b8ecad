import { buildReview, renderReviewMarkdown, reviewMarks } from '../../../tools/review/review';
import { caPinsAtRef, type CaPins, pinsOfEnvironment, pinWeakenings } from '../../../tools/review/pin-changes';
import { synthesizeJson } from '../../../tools/synth/synth-json';
import { listEnvironments } from '../../../envs/load';

/**
 * A CA key pin (lib/ca-pins) lives in an env file, not in the synthesized Terraform: the
 * review compares the pin lists of base and branch, and marks every key the branch pins
 * anew as a weakening of the stack that list governs. Removing a pin tightens trust and
 * is not marked.
 */

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const pins = (env: string, lists: Record<string, string[]>): CaPins => new Map([[env, new Map(Object.entries(lists))]]);

describe('pinWeakenings', () => {
  it('marks a key pinned on the branch, on the stack the list governs, naming the env file and field', () => {
    expect(pinWeakenings(pins('dev', { 'pki.expectedCaKeys': [] }), pins('dev', { 'pki.expectedCaKeys': [A] }))).toEqual([
      { stack: 'dev-pki', address: 'envs/dev.yaml: pki.expectedCaKeys', kind: 'ca-pinned', message: `newly pins the CA key ${A}: a CA with this key may now be trusted in the bring-your-own CA bundle (pki.caBundle: truststore, API Shield, Access)` },
    ]);
  });

  it('marks a changed pin as the new key pinned', () => {
    expect(pinWeakenings(pins('dev', { 'pki.expectedCaKeys': [A] }), pins('dev', { 'pki.expectedCaKeys': [B] })).map((w) => w.message)).toEqual([expect.stringContaining(`newly pins the CA key ${B}`)]);
  });

  it('marks the extra-CA list on the origin stack', () => {
    expect(pinWeakenings(new Map(), pins('prod', { 'origin.expectedCaKeys': [A] }))).toEqual([expect.objectContaining({ stack: 'prod-origin', address: 'envs/prod.yaml: origin.expectedCaKeys', kind: 'ca-pinned' })]);
  });

  it('does not mark a removed pin (a tightening) or reordered pins', () => {
    expect(pinWeakenings(pins('dev', { 'pki.expectedCaKeys': [A, B] }), pins('dev', { 'pki.expectedCaKeys': [B] }))).toEqual([]);
    expect(pinWeakenings(pins('dev', { 'pki.expectedCaKeys': [A, B] }), pins('dev', { 'pki.expectedCaKeys': [B, A] }))).toEqual([]);
  });

  it('a key moved from one list to the other is newly pinned where it moved', () => {
    expect(pinWeakenings(pins('dev', { 'pki.expectedCaKeys': [A] }), pins('dev', { 'origin.expectedCaKeys': [A] })).map((w) => w.stack)).toEqual(['dev-origin']);
  });

  it('reads the lists of a raw env file, ignoring what is not a pin list', () => {
    expect(pinsOfEnvironment({ pki: { mode: 'byo', expectedCaKeys: [A, 7] }, origin: { expectedCaKeys: 'x' } })).toEqual(new Map([['pki.expectedCaKeys', [A]], ['origin.expectedCaKeys', []]]));
    expect(pinsOfEnvironment(undefined)).toEqual(new Map([['pki.expectedCaKeys', []], ['origin.expectedCaKeys', []]]));
  });
});

describe('the review with a base', () => {
  const dev = synthesizeJson('dev');
  const pinned = dev.environments.map((e) => ({ ...e, config: { ...e.config, origin: { ...e.config.origin, expectedCaKeys: [A] } } }));

  it('lists a newly pinned key among the weakenings, marks it and renders it', () => {
    const review = buildReview(dev.stacks, { ref: 'main', stacks: dev.stacks, caPins: new Map() }, { environments: pinned });
    const origin = review.stacks.find((s) => s.stack === 'dev-origin')!;
    expect(origin.weakenings).toEqual([expect.objectContaining({ kind: 'ca-pinned', address: 'envs/dev.yaml: origin.expectedCaKeys' })]);
    expect(reviewMarks(review)).toBe(1);
    expect(renderReviewMarkdown(review)).toMatch(/\| `envs\/dev\.yaml: origin\.expectedCaKeys` \| ⚠️ CA key pinned \| newly pins the CA key sha256:a{64}/);
  });

  it('marks nothing when the base pinned the same key, or when no base pins were read', () => {
    const same = buildReview(dev.stacks, { ref: 'main', stacks: dev.stacks, caPins: pins('dev', { 'origin.expectedCaKeys': [A] }) }, { environments: pinned });
    expect(reviewMarks(same)).toBe(0);
    expect(reviewMarks(buildReview(dev.stacks, { ref: 'main', stacks: dev.stacks }, { environments: pinned }))).toBe(0);
  });

  it('reads every committed env file at a git ref (none pins anything: they use the generated PKI)', () => {
    const atHead = caPinsAtRef('HEAD');
    expect([...atHead.keys()].sort()).toEqual(listEnvironments());
    for (const lists of atHead.values()) expect([...lists.values()].flat()).toEqual([]);
  });

  it('an unknown ref is an error, not "no pins" (which would mark every pin of the branch)', () => {
    expect(() => caPinsAtRef('no-such-ref-for-pins')).toThrow(/git ls-tree no-such-ref-for-pins envs\/ failed/);
  });
});
