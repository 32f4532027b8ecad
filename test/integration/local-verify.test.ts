import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { fromRoot } from '../../lib/paths';
import { ENV_FILE_PORTS, listening, startStandIns, type HarnessPorts } from '../../tools/local/harness';
import { defaultPaths } from '../../tools/local/local';
import { ensureLocalPki, LOCAL_HOSTS } from '../../tools/local/pki';
import { stopProcess } from '../../tools/local/processes';
import { recordedStandInPorts, runFile } from '../../tools/local/run-file';
import { runToEnd } from '../support/processes';
import { runChecks } from '../../tools/verify/checks';
import { verifyInput } from '../../tools/verify/input';
import { missingTlsTools } from '../support/tls-harness';
import { BUDGET, budgetFor } from '../support/budget';

/**
 * `npm run verify -- --env local` checks the stand-ins `npm run local -- up` starts.
 * envs/local.yaml's `verify:` section and those stand-ins must agree (hosts, ports,
 * PKI files), and every check must pass against them.
 */
describe("envs/local.yaml's verify section", () => {
  const section = loadEnvironment('local').config.verify!;

  it('targets the stand-ins: their hosts, and placeholder ports (the real ones come from the run file), mapped to loopback', () => {
    expect(section.originUrl).toBe(`https://${LOCAL_HOSTS.origin}:${ENV_FILE_PORTS.origin}`);
    expect(section.edgeUrl).toBe(`https://${LOCAL_HOSTS.edge}:${ENV_FILE_PORTS.edge}`);
    expect(section.resolve).toEqual([`${LOCAL_HOSTS.origin}:${ENV_FILE_PORTS.origin}:127.0.0.1`, `${LOCAL_HOSTS.edge}:${ENV_FILE_PORTS.edge}:127.0.0.1`]);
    // No default-endpoint check: nothing could answer there locally, so it would prove nothing.
    expect(section.defaultEndpointUrl).toBeUndefined();
  });

  it('names the PKI files `npm run local -- up` writes', () => {
    const pki = join(defaultPaths().dir, 'pki');
    const fromEnvs = (p: string) => resolve(fromRoot('envs'), p);
    expect([section.caBundle, section.clientCertificate, section.clientKey, section.serverCaBundle!].map(fromEnvs)).toEqual(
      ['ca.pem', 'origin-pull.pem', 'origin-pull.key', 'ca.pem'].map((f) => join(pki, f)),
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
    ({ pid, ports } = await startStandIns(join(dir, 'harness'), ensureLocalPki(join(dir, 'pki')).dir));
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
    const second = await startStandIns(join(dir, 'harness-2'), join(dir, 'pki'));
    try {
      expect([second.ports.origin, second.ports.edge].filter((p) => p === ports.origin || p === ports.edge)).toEqual([]);
      expect(await listening(second.ports.edge)).toBe(true);
    } finally {
      await stopProcess(second.pid, 'nginx');
    }
  }, budgetFor('serverStart', 'test'));

  it('passes every check the env file asks for, on the ports the stand-ins took, with a freshly made PKI', async () => {
    const pki = (f: string) => join(dir, 'pki', f);
    // The env file's URLs and mappings with the stand-ins' ports; the PKI of this test instead of .local/pki/.
    const input = verifyInput({ env: 'local', ca: pki('ca.pem'), cert: pki('origin-pull.pem'), key: pki('origin-pull.key'), serverCa: pki('ca.pem'), resolve: [], standInPorts: ports });
    expect(input.origin.url.port).toBe(String(ports.origin));
    expect(input.edge!.url.port).toBe(String(ports.edge));
    expect([...input.origin.resolve.keys()]).toEqual([`${LOCAL_HOSTS.origin}:${ports.origin}`, `${LOCAL_HOSTS.edge}:${ports.edge}`]);
    const results = await runChecks(input);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect([...new Set(results.map((r) => r.id))]).toEqual([
      'origin-requests-client-cert',
      'origin-rejects-no-cert',
      'origin-accepts-origin-pull-cert',
      'origin-rejects-foreign-cert',
      'origin-tls-1.2-minimum',
      'origin-server-cert-trusted',
      'edge-blocks-without-cert',
      'edge-tls-1.2-minimum',
      'edge-server-cert-trusted',
      'certificate-expiry',
    ]);
  }, BUDGET.test);
  it('`npm run verify -- --env local` reads the ports from the run file `npm run local` writes, and passes', async () => {
    const local = join(dir, 'local');
    mkdirSync(local, { recursive: true });
    const paths = { dir: local, stateRoot: join(local, 'state'), workDir: join(local, 'work') };
    // What startHarness records (tools/local/local.ts), for the stand-ins this test started.
    writeFileSync(runFile(paths), JSON.stringify({ moto: { pid: 0, endpoint: 'http://127.0.0.1:1' }, nginx: { pid, config: join(dir, 'harness', 'nginx.conf'), ports } }));
    expect(recordedStandInPorts(paths)).toEqual(ports);
    const pki = (f: string) => join(dir, 'pki', f);
    const r = await runToEnd('node', ['--import', 'tsx', 'scripts/verify.ts', '--env', 'local', '--json', '--ca', pki('ca.pem'), '--cert', pki('origin-pull.pem'), '--key', pki('origin-pull.key'), '--server-ca', pki('ca.pem')], {
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
