import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTerraformLog, suiteFloor } from '../../tools/bench/suite-floor';
import { terraform, TERRAFORM_LOG_VARIABLE, terraformMissingReason } from '../../tools/terraform';
import { scratchDir } from '../support/scratch';
import { describeUnless } from '../support/skip';

const describeTerraform = describeUnless(terraformMissingReason(), 'terraform run log test');

/**
 * With EDGE_TERRAFORM_LOG set, every terraform run appends its command, a digest of the
 * configuration in its folder and its seconds: what `npm run bench` sums into the floor
 * of the suite (test/unit/suite-floor.test.ts). `terraform version` needs no init.
 */
describeTerraform('the terraform run log', () => {
  const dir = scratchDir('tf-log-');
  const log = join(dir, 'terraform.jsonl');
  const work = join(dir, 'work');
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env[TERRAFORM_LOG_VARIABLE];
    process.env[TERRAFORM_LOG_VARIABLE] = log;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env[TERRAFORM_LOG_VARIABLE];
    else process.env[TERRAFORM_LOG_VARIABLE] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs each run; the same configuration twice is one distinct run, a changed one another; the state it starts from beside it', async () => {
    mkdirSync(work);
    writeFileSync(join(work, 'cdk.tf.json'), JSON.stringify({ output: { a: { value: 1 } } }));
    await terraform(['version'], work);
    await terraform(['-chdir=.', 'version', '-json'], work);
    writeFileSync(join(work, 'cdk.tf.json'), JSON.stringify({ output: { a: { value: 2 } } }));
    await terraform(['version'], work);
    // No backend: the state is terraform.tfstate beside the configuration.
    writeFileSync(join(work, 'terraform.tfstate'), JSON.stringify({ version: 4, serial: 1 }));
    await terraform(['version'], work);
    const runs = readTerraformLog(log);
    expect(runs.map((r) => r.command)).toEqual(['version', 'version', 'version', 'version']);
    expect(runs[0].config).toBe(runs[1].config);
    expect(runs[2].config).not.toBe(runs[0].config);
    expect(runs[3].config).toBe(runs[2].config);
    expect(runs[0].state).toMatch(/^[0-9a-f]{16}$/);
    expect([runs[1].state, runs[2].state]).toEqual([runs[0].state, runs[0].state]);
    expect(runs[3].state).not.toBe(runs[0].state);
    expect(runs.every((r) => r.seconds > 0)).toBe(true);
    expect(suiteFloor(runs)).toMatchObject({ invocations: 4, distinct: 2, withState: { distinct: 3 } });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
