import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformUnavailableReason } from '../../tools/terraform';
import { applyAndReplan, detachRemoteState, replanWith, type PlannedChange } from '../support/apply';
import { baseEnvironment, envDir, withField } from '../support/env-files';
import { motoEnv, motoUnavailableReason, startMoto, type Moto } from '../support/moto';
import { OpensslWorkbench, opensslUnavailableReason, type TestCertificate } from '../support/openssl';
import { synthStacks } from '../support/synth';

const unavailable = terraformUnavailableReason() ?? motoUnavailableReason() ?? opensslUnavailableReason();
if (unavailable) console.warn(`SKIPPED moto apply test of the local origin: ${unavailable}`);
const describeMoto = unavailable ? describe.skip : describe;

/**
 * Known gaps of moto 5.2.1, by resource address and attribute: moto's
 * REST create_domain_name drops mutual TLS (and has no update_domain_name), so every
 * plan wants to set it again. Anything else in a second plan is a real defect.
 */
const MOTO_GAPS: ReadonlyArray<{ address: RegExp; attribute: string }> = [
  { address: /^aws_api_gateway_domain_name\.Domain\d+_Domain_[0-9A-F]+$/, attribute: 'mutual_tls_authentication' },
];

function outsideGaps(changes: readonly PlannedChange[]): Array<{ address: string; attributes: readonly string[] }> {
  return changes
    .map((c) => ({
      address: c.address,
      attributes: c.attributes.filter((a) => !MOTO_GAPS.some((g) => g.address.test(c.address) && g.attribute === a)),
      actions: c.actions,
    }))
    .filter((c) => c.attributes.length > 0 || !c.actions.every((a) => a === 'update'));
}

/**
 * The `local` environment's AWS origin, applied for real by terraform (the AWS
 * provider of the offline mirror) to a private moto_server; the PKI stack's outputs are stood in for by
 * openssl-made CA certificates.
 */
describeMoto('local origin applies to moto and converges', () => {
  let moto: Moto;
  const work = mkdtempSync(join(tmpdir(), 'edge-moto-'));
  const bench = new OpensslWorkbench(join(work, 'pki'));
  const cas = new Map<number, { root: TestCertificate; intermediate: TestCertificate }>();
  let envs: string;
  const caFor = (generation: number) => {
    if (!cas.has(generation)) cas.set(generation, bench.caChain(`gen${generation}`, { key: { type: 'ec', curve: 'P-256' } }));
    return cas.get(generation)!;
  };
  /** A pki output by name: the openssl CA of that generation stands in for the tls provider's. */
  const pkiOutput = (name: string) => {
    const m = /CaG(\d+)_(Root|Intermediate)Certificate/.exec(name);
    if (!m) throw new Error(`no stand-in for pki output ${name}`);
    const ca = caFor(Number(m[1]));
    return (m[2] === 'Root' ? ca.root : ca.intermediate).certPem;
  };
  const originStack = (pki: Record<string, unknown>) => {
    const local = withField(withField(baseEnvironment('local'), 'aws.endpoint', moto.endpoint), 'pki', pki);
    rmSync(envs, { recursive: true, force: true });
    envs = envDir({ local });
    return detachRemoteState(synthStacks('local', envs).get('local-origin')!, pkiOutput);
  };
  const options = () => ({ workDir: join(work, 'tf'), env: motoEnv('us-east-1') });
  let firstApply: Awaited<ReturnType<typeof applyAndReplan>>;

  beforeAll(async () => {
    moto = await startMoto();
    envs = envDir({});
    firstApply = await applyAndReplan(originStack({ mode: 'generated' }), options());
  });
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
    if (envs) rmSync(envs, { recursive: true, force: true });
  });

  it('creates the truststore, the demo API, the ACM certificate and the mTLS domain', () => {
    const types = new Set(firstApply.state.map((a) => a.split('.')[0]));
    for (const t of [
      'aws_s3_bucket', 'aws_s3_bucket_versioning', 'aws_s3_object', 'aws_api_gateway_rest_api', 'aws_api_gateway_stage',
      'aws_acm_certificate', 'aws_acm_certificate_validation', 'aws_api_gateway_domain_name', 'aws_api_gateway_base_path_mapping',
    ]) expect(types).toContain(t);
  });

  it('a second plan is clean except the named moto gaps', () => {
    expect(outsideGaps(firstApply.secondPlan)).toEqual([]);
    // The gap is really there (if moto fixes it, drop it from MOTO_GAPS).
    expect(firstApply.secondPlan.map((c) => c.attributes).flat()).toContain('mutual_tls_authentication');
  });

  it('rotation: trusting a new CA generation uploads a new truststore version and repins the domain to it', async () => {
    const changes = await replanWith(originStack({ mode: 'generated', caGenerations: [2, 1] }), options());
    const object = changes.find((c) => c.address.startsWith('aws_s3_object.'))!;
    expect(object.actions).toEqual(['update']);
    expect(object.attributes).toEqual(expect.arrayContaining(['content', 'version_id']));
    const domain = changes.find((c) => c.address.startsWith('aws_api_gateway_domain_name.'))!;
    expect(domain.actions).toEqual(['update']);
    expect(domain.attributes).toContain('mutual_tls_authentication');
    // Nothing else is touched by a CA rotation on the origin side.
    expect(changes.map((c) => c.address.split('.')[0]).sort()).toEqual(['aws_api_gateway_domain_name', 'aws_s3_object']);
  });
});
