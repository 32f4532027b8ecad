/**
 * Every time limit of the test suite, from one place.
 *
 * Assumption: each figure is what the step took on an idle 2-core machine
 * (measured, in the comment), times SLOWDOWN. SLOWDOWN covers a machine where
 * another job keeps one core busy and the two jest workers share the other (the
 * robustness run, `npm run test:busy`, checks exactly that), plus a margin for
 * cold disk caches. A step that needs more than its budget is a regression to
 * investigate, not a number to raise.
 *
 * `EDGE_TEST_SLOWDOWN` replaces the factor for an unusually slow machine.
 */

const DEFAULT_SLOWDOWN = 4;

function slowdown(): number {
  const raw = process.env.EDGE_TEST_SLOWDOWN;
  if (raw === undefined || raw === '') return DEFAULT_SLOWDOWN;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1 || value > 50) {
    throw new Error(`EDGE_TEST_SLOWDOWN "${raw}" must be a number from 1 to 50 (a factor applied to every test time limit)`);
  }
  return value;
}

export const SLOWDOWN = slowdown();

const scaled = (idleMs: number): number => Math.round(idleMs * SLOWDOWN);

/** Time limits in milliseconds, each the idle measurement times SLOWDOWN. */
export const BUDGET = {
  /**
   * Any test without a budget of its own. The slowest such tests (openssl key
   * generation, a full synth of every environment) take up to about 20 s idle.
   */
  test: scaled(30_000),
  /** moto_server answering its first request: about 2 s idle. */
  motoStart: scaled(5_000),
  /** One `terraform init` against the provider mirror with the plugin cache: under 1 s idle. */
  terraformInit: scaled(5_000),
  /** `terraform validate` of one projected stack, init included: about 3 s idle. */
  terraformValidate: scaled(10_000),
  /** A refreshing plan of every stack of `local` against moto (synth, init, plan, show): about 15 s idle. */
  planLocal: scaled(15_000),
  /** Applying every stack of `local` to a fresh moto (lifecycle left out): about 30 s idle. */
  applyLocal: scaled(30_000),
  /**
   * Waiting for another test file to release the shared environment: the longest
   * exclusive section, the drift round trip (plan, re-apply, plan, five boto3 calls).
   */
  sharedEnvironmentTurn: scaled(65_000),
  /**
   * `npm run drift -- --live-only` on `local` (synth, state, the live AWS checks; the
   * edge audit is a gap there): 7 s measured on 2 heavily shared cores, about 3 s idle.
   */
  liveChecks: scaled(5_000),
  /**
   * `npm run drift -- --bypass` on `local`, every region moto reports (38): 20 s of
   * checks measured on 2 heavily shared cores (34 s with npm and the synth), about 10 s idle.
   */
  bypassLocal: scaled(12_000),
  /** A boto3 snippet (python start-up included): about 1 s idle. */
  boto3: scaled(5_000),
  /** nginx or openssl s_server becoming ready: under 1 s idle. */
  serverStart: scaled(5_000),
  /**
   * The scratch install of cdktn for test/integration/cdktn-continuity.test.ts (npm
   * install of the runtime dependencies, about 470 MB unpacked): 27 s measured with a
   * warm npm cache at load average 17; a cold cache downloads about 100 MB more. Once per
   * cdktn version and manifest: later runs take it from .cache/cdktn/.
   */
  cdktnInstall: scaled(30_000),
  /**
   * Starting one npm command as a person types it (`npm run --silent local -- status`:
   * npm, node, tsx, the runner): about 1.5 s idle (4 to 6 s measured at load average 20).
   */
  npmCommand: scaled(2_000),
  /**
   * Every check of the worst CA bundle at MAX_CA_BUNDLE_CERTIFICATES (four certificates per
   * subject, no key identifiers, one chain as deep as the bundle, P-521 signatures at about
   * 5 ms each): about 0.7 s idle. Before the chain index (lib/chain-index) 64 certificates
   * took 15 s.
   */
  caBundleAtLimit: scaled(1_500),
} as const;

/** The sum of some budgets: the limit of a test that runs those steps one after another. */
export function budgetFor(...steps: ReadonlyArray<keyof typeof BUDGET>): number {
  return steps.reduce((sum, step) => sum + BUDGET[step], 0);
}
