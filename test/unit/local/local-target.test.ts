import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeCommand } from '../../../tools/cli';
import { applyCommand } from '../../../tools/plan/apply-command';
import { planCommand } from '../../../tools/plan/command';
import { meansRunningLocal } from '../../../tools/plan/local-target';
import { scratchDir } from '../../support/scratch';

/**
 * `npm run plan|drift|apply -- --env local` run against the moto `npm run local -- up`
 * started (test/integration/local-command.test.ts runs them against one). Without a
 * running local environment they stop at once with one line saying how to start one,
 * never with Terraform's registry or credential errors.
 */
describe('--env local without a running local environment', () => {
  const dir = scratchDir('edge-local-target-');
  const saved = { local: process.env.EDGE_LOCAL_DIR, envs: process.env.EDGE_ENVS_DIR };
  let stderr: string[];
  beforeEach(() => {
    process.env.EDGE_LOCAL_DIR = dir;
    delete process.env.EDGE_ENVS_DIR;
    stderr = [];
    jest.spyOn(process.stderr, 'write').mockImplementation(((s: string) => stderr.push(s)) as never);
    jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as never);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    for (const [k, v] of [['EDGE_LOCAL_DIR', saved.local], ['EDGE_ENVS_DIR', saved.envs]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['plan', () => executeCommand(planCommand('plan'), ['--env', 'local'])],
    ['drift', () => executeCommand(planCommand('drift'), ['--env', 'local'])],
    ['drift', () => executeCommand(planCommand('drift'), ['--env', 'local', '--live-only'])],
    ['apply', () => executeCommand(applyCommand, ['--env', 'local', '--auto-approve'])],
    ['apply', () => executeCommand(applyCommand, ['--env', 'local', '--aws-only', '--auto-approve'])],
  ])('%s: exit 1 with "run `npm run local -- up` first", nothing else', async (command, run) => {
    expect(await run()).toBe(1);
    expect(stderr.join('')).toBe(`${command}: the local environment is not running: run \`npm run local -- up\` first\n`);
  });

  it('a run file whose moto is gone counts as not running', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ moto: { pid: process.pid, endpoint: 'http://127.0.0.1:1' } }));
    try {
      expect(await executeCommand(planCommand('plan'), ['--env', 'local'])).toBe(1);
      expect(stderr.join('')).toBe('plan: the local environment is not running: run `npm run local -- up` first\n');
    } finally {
      rmSync(join(dir, 'run.json'), { force: true });
    }
  });

  it('means the running environment only for the committed envs/local.yaml: a folder of env files of one\'s own names its own emulator', () => {
    expect(meansRunningLocal('local')).toBe(true);
    expect(meansRunningLocal('dev')).toBe(false);
    process.env.EDGE_ENVS_DIR = dir;
    expect(meansRunningLocal('local')).toBe(false);
  });
});
