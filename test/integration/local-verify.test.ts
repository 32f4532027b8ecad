import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { fromRoot } from '../../lib/paths';
import { ENV_FILE_PORTS, listening, startStandIns, type HarnessPorts } from '../../tools/local/harness';
import { defaultPaths } from '../../tools/local/local';
import { ensureLocalPki, LOCAL_HOSTS, localPublished } from '../../tools/local/pki';
import { standInSpec } from '../../tools/local/stand-ins';
import { synthesizeJson } from '../../tools/synth/synth-json';
import { stopProcess } from '../../tools/local/processes';
import { recordedStandInPorts, runFile } from '../../tools/local/run-file';
import { runToEnd } from '../support/processes';
import { runChecks } from '../../tools/verify/checks';
import { verifyInput } from '../../tools/verify/input';
import { missingTlsTools } from '../support/tls-harness';
import { EDGE_CHECKS, ORIGIN_CHECKS } from '../support/verify-checks';
import { BUDGET, budgetFor } from '../support/budget';

/**
 * `npm run verify -- --env local` checks the stand-ins `npm run local -- up` starts,
 * built from the synthesized `local` stacks (tools/local/stand-ins.ts). envs/local.yaml's
 * `verify:` section and those stand-ins must agree (hosts, ports, PKI files), and every
 * check must pass against them.
 */
const synthesized = synthesizeJson('local').stacks;
/** The local stacks' stand-ins, with the local PKI in `pkiDir` standing in for the custody stack's certificates. */
const specWith = (pkiDir: string) => standInSpec(synthesized, 'local', localPublished(pkiDir));

describe('the stand-ins, derived from the synthesized local stacks', () => {
  const pkiDir = join(mkdtempSync(join(tmpdir(), 'edge-local-spec-')), 'pki');
  const fake = (what: string) => `-----BEGIN CERTIFICATE-----\n${what}\n-----END CERTIFICATE-----\n`;
  /** The custody stack's certificates by address, as a test names them. */
  const named = (expression: string) => fake(expression.replace(/^\$\{|\.cert_pem\}$/g, ''));
  afterAll(() => rmSync(dirname(pkiDir), { recursive: true, force: true }));

  it("origin: the custom domains, the TLS versions of their security policy, and the truststore the origin stack writes, CA by CA in the object's order", () => {
    const spec = standInSpec(synthesized, 'local', named);
    const custody = synthesized.get('local-pki')!.resource;
    const root = Object.keys(custody.tls_self_signed_cert).map((n) => `tls_self_signed_cert.${n}`);
    const intermediate = Object.entries<any>(custody.tls_locally_signed_cert).filter(([, c]) => c.is_ca_certificate).map(([n]) => `tls_locally_signed_cert.${n}`);
    expect(root).toHaveLength(1);
    expect(intermediate).toHaveLength(1);
    expect(spec.origin).toEqual({ hostnames: ['api.example.test'], protocols: ['TLSv1.2', 'TLSv1.3'], truststorePem: fake(root[0]) + fake(intermediate[0]) });
    expect(spec.edge).toEqual({ hostnames: ['api.example.test'], protocols: ['TLSv1.2', 'TLSv1.3'] });
  });

  it('follows the stacks: another security policy, domain or zone setting changes the stand-ins', () => {
    const changed = new Map([...synthesized].map(([n, j]) => [n, structuredClone(j)]));
    const domain = Object.values<any>(changed.get('local-origin')!.resource.aws_api_gateway_domain_name)[0];
    domain.security_policy = 'TLS_1_0';
    domain.domain_name = 'other.example.test';
    Object.values<any>(changed.get('local-edge')!.resource.cloudflare_zone_setting).find((z) => z.setting_id === 'tls_1_3').value = 'off';
    const spec = standInSpec(changed, 'local', named);
    expect(spec.origin.hostnames).toEqual(['other.example.test']);
    expect(spec.origin.protocols).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2']);
    expect(spec.edge.protocols).toEqual(['TLSv1.2']);
  });

  it('refuses what it cannot evaluate instead of guessing: a truststore read the custody stack does not publish, a certificate the local PKI has no counterpart for', () => {
    const changed = new Map([...synthesized].map(([n, j]) => [n, structuredClone(j)]));
    Object.values<any>(changed.get('local-origin')!.data.aws_ssm_parameter)[0].name = '/edge-mtls/local/public/nothing';
    expect(() => standInSpec(changed, 'local', named)).toThrow('the truststore reads SSM parameter /edge-mtls/local/public/nothing, which the custody stack does not publish');
    expect(() => localPublished(pkiDir)('${tls_private_key.X.private_key_pem}', synthesized.get('local-pki')!)).toThrow('the local PKI has no certificate standing in for ${tls_private_key.X.private_key_pem}');
  });
});

describe("envs/local.yaml's verify section", () => {
  const section = loadEnvironment('local').config.verify!;
  const spec = standInSpec(synthesized, 'local', () => '');

  it("targets the stand-ins: the stacks' hostnames, placeholder ports (the real ones come from the run file), mapped to loopback", () => {
    expect(section.originUrl).toBe(`https://${spec.origin.hostnames[0]}:${ENV_FILE_PORTS.origin}`);
    expect(section.edgeUrl).toBe(`https://${spec.edge.hostnames[0]}:${ENV_FILE_PORTS.edge}`);
    expect(section.resolve).toEqual([`${spec.origin.hostnames[0]}:${ENV_FILE_PORTS.origin}:127.0.0.1`, `${spec.edge.hostnames[0]}:${ENV_FILE_PORTS.edge}:127.0.0.1`]);
    // No default-endpoint check: nothing could answer there locally, so it would prove nothing.
    expect(section.defaultEndpointUrl).toBeUndefined();
  });

  it('names the PKI files `npm run local -- up` writes', () => {
    const pki = join(defaultPaths().dir, 'pki');
    const fromEnvs = (p: string) => resolve(fromRoot('envs'), p);
    expect([section.caBundle, section.clientCertificate, section.clientKey, section.serverCaBundle!].map(fromEnvs)).toEqual(
      ['ca-bundle.pem', 'origin-pull.pem', 'origin-pull.key', 'ca.pem'].map((f) => join(pki, f)),
    );
  });
});

const missing = missingTlsTools();
if (missing.length > 0) console.warn(`SKIPPED local stand-ins verify test: ${missing.join(', ')} not installed`);
const describeTools = missing.length > 0 ? describe.skip : describe;

describeTools('the local stand-ins under every verify check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-local-standins-'));
  let pid: number | undefined;
  let ports: HarnessPorts;

  beforeAll(async () => {
    // Free ports, whatever else runs here (a running `npm run local -- up` included).
    ({ pid, ports } = await startStandIns(join(dir, 'harness'), ensureLocalPki(join(dir, 'pki')).dir, specWith(join(dir, 'pki'))));
  }, budgetFor('serverStart', 'test'));

  afterAll(async () => {
    if (pid) await stopProcess(pid, 'nginx');
    rmSync(dir, { recursive: true, force: true });
  });

  it('take two free loopback ports, not the env file\'s placeholders', async () => {
    expect(ports.origin).not.toBe(ports.edge);
    expect([ports.origin, ports.edge]).not.toContain(ENV_FILE_PORTS.origin);
    expect([ports.origin, ports.edge]).not.toContain(ENV_FILE_PORTS.edge);
    expect(await listening(ports.origin)).toBe(true);
    expect(await listening(ports.edge)).toBe(true);
  });

  it('a second set starts beside the first (no fixed port to collide on)', async () => {
    const second = await startStandIns(join(dir, 'harness-2'), join(dir, 'pki'), specWith(join(dir, 'pki')));
    try {
      expect([second.ports.origin, second.ports.edge].filter((p) => p === ports.origin || p === ports.edge)).toEqual([]);
      expect(await listening(second.ports.edge)).toBe(true);
    } finally {
      await stopProcess(second.pid, 'nginx');
    }
  }, budgetFor('serverStart', 'test'));

  it('passes every check the env file asks for, on the ports the stand-ins took, with a freshly made PKI: the truststore the origin stack writes holds exactly our CA pair', async () => {
    const pki = (f: string) => join(dir, 'pki', f);
    // The env file's URLs and mappings with the stand-ins' ports; the PKI of this test instead of .local/pki/.
    const input = verifyInput({ env: 'local', ca: pki('ca-bundle.pem'), cert: pki('origin-pull.pem'), key: pki('origin-pull.key'), serverCa: pki('ca.pem'), resolve: [], standInPorts: ports });
    expect(input.origin.url.port).toBe(String(ports.origin));
    expect(input.edge!.url.port).toBe(String(ports.edge));
    expect([...input.origin.resolve.keys()]).toEqual([`${LOCAL_HOSTS.api}:${ports.origin}`, `${LOCAL_HOSTS.api}:${ports.edge}`]);
    const results = await runChecks(input);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    // envs/local.yaml's `verify:` names no defaultEndpointUrl (the stand-ins have no execute-api endpoint to close).
    expect([...new Set(results.map((r) => r.id))]).toEqual([...ORIGIN_CHECKS, ...EDGE_CHECKS, 'certificate-expiry']);
  }, BUDGET.test);
  it('built from an origin stack whose truststore leaves out the intermediate CA, the origin stand-in fails verify: the stand-ins show what the stacks would deploy', async () => {
    const changed = new Map([...synthesized].map(([n, j]) => [n, structuredClone(j)]));
    const object = Object.values<any>(changed.get('local-origin')!.resource.aws_s3_object)[0];
    const [root] = /format\("%s\\n", trimspace\(data\.aws_ssm_parameter\.[\w-]*root[\w-]*\.insecure_value\)\)/.exec(object.content)!;
    object.content = `\${join("", [${root}])}`;
    const pki = (f: string) => join(dir, 'pki', f);
    const narrow = await startStandIns(join(dir, 'harness-narrow'), join(dir, 'pki'), standInSpec(changed, 'local', localPublished(join(dir, 'pki'))));
    try {
      const input = verifyInput({ env: 'local', ca: pki('ca-bundle.pem'), cert: pki('origin-pull.pem'), key: pki('origin-pull.key'), serverCa: pki('ca.pem'), resolve: [], standInPorts: narrow.ports });
      const failed = (await runChecks(input)).filter((r) => r.status !== 'pass');
      expect(failed.map((r) => r.id)).toContain('origin-requests-client-cert');
      expect(failed.find((r) => r.id === 'origin-requests-client-cert')!.detail).toMatch(/do not include ours .*Edge Local Intermediate CA/);
    } finally {
      await stopProcess(narrow.pid, 'nginx');
    }
  }, budgetFor('serverStart', 'test'));

  it('`npm run verify -- --env local` reads the ports from the run file `npm run local` writes, and passes', async () => {
    const local = join(dir, 'local');
    mkdirSync(local, { recursive: true });
    const paths = { dir: local, stateRoot: join(local, 'state'), workDir: join(local, 'work') };
    // What startHarness records (tools/local/local.ts), for the stand-ins this test started.
    writeFileSync(runFile(paths), JSON.stringify({ moto: { pid: 0, endpoint: 'http://127.0.0.1:1' }, nginx: { pid, config: join(dir, 'harness', 'nginx.conf'), ports } }));
    expect(recordedStandInPorts(paths)).toEqual(ports);
    const pki = (f: string) => join(dir, 'pki', f);
    const r = await runToEnd('node', ['--import', 'tsx', 'scripts/verify.ts', '--env', 'local', '--json', '--ca', pki('ca-bundle.pem'), '--cert', pki('origin-pull.pem'), '--key', pki('origin-pull.key'), '--server-ca', pki('ca.pem')], {
      cwd: fromRoot(),
      env: { ...process.env, EDGE_LOCAL_DIR: local },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout).passed).toBe(true);
    // A recorded pid that is not our nginx any more records nothing.
    writeFileSync(runFile(paths), JSON.stringify({ moto: { pid: 0, endpoint: 'http://127.0.0.1:1' }, nginx: { pid: process.pid, config: 'x', ports } }));
    expect(recordedStandInPorts(paths)).toBeUndefined();
  }, budgetFor('npmCommand', 'test'));
});
