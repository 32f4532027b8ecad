import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEnvironment } from '../../envs/load';
import { fromRoot } from '../../lib/paths';
import { HARNESS_PORTS, listening, startStandIns } from '../../tools/local/harness';
import { defaultPaths } from '../../tools/local/local';
import { ensureLocalPki, LOCAL_HOSTS } from '../../tools/local/pki';
import { stopProcess } from '../../tools/local/processes';
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

  it('targets the stand-ins: their hosts and ports, mapped to loopback', () => {
    expect(section.originUrl).toBe(`https://${LOCAL_HOSTS.origin}:${HARNESS_PORTS.origin}`);
    expect(section.edgeUrl).toBe(`https://${LOCAL_HOSTS.edge}:${HARNESS_PORTS.edge}`);
    expect(section.resolve).toEqual([`${LOCAL_HOSTS.origin}:${HARNESS_PORTS.origin}:127.0.0.1`, `${LOCAL_HOSTS.edge}:${HARNESS_PORTS.edge}:127.0.0.1`]);
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
  let busy: string | undefined;

  beforeAll(async () => {
    const taken = [];
    for (const port of Object.values(HARNESS_PORTS)) if (await listening(port)) taken.push(port);
    // The ports are fixed (the env file names them): a running `npm run local -- up` holds them.
    if (taken.length > 0) {
      busy = `loopback ports ${taken.join(', ')} are in use (a running local environment?)`;
      console.warn(`SKIPPED local stand-ins verify test: ${busy}`);
      return;
    }
    pid = await startStandIns(join(dir, 'harness'), ensureLocalPki(join(dir, 'pki')).dir);
  }, budgetFor('serverStart', 'test'));

  afterAll(async () => {
    if (pid) await stopProcess(pid, 'nginx');
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check the env file asks for, with a freshly made PKI', async () => {
    if (busy) return;
    const pki = (f: string) => join(dir, 'pki', f);
    // The env file's URLs and mappings; the PKI of this test instead of .local/pki/.
    const input = verifyInput({ env: 'local', ca: pki('ca.pem'), cert: pki('origin-pull.pem'), key: pki('origin-pull.key'), serverCa: pki('ca.pem'), resolve: [] });
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
});
