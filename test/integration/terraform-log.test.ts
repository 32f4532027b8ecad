import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTerraformLog, suiteFloor } from '../../tools/bench/suite-floor';
import { terraform, TERRAFORM_LOG_VARIABLE, terraformMissingReason } from '../../tools/terraform';

const unavailable = terraformMissingReason();
if (unavailable) console.warn(`SKIPPED terraform run log test: ${unavailable}`);
const describeTerraform = unavailable ? describe.skip : describe;

/**
 * With EDGE_TERRAFORM_LOG set, every terraform run appends its command, a digest of the
 * configuration in its folder and its seconds: what `npm run bench` sums into the floor
 * of the suite (test/unit/suite-floor.test.ts). `terraform version` needs no init.
 */
describeTerraform('the terraform run log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-tf-log-'));
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

  it('logs each run; the same configuration twice is one distinct run, a changed one another', async () => {
    mkdirSync(work);
    writeFileSync(join(work, 'cdk.tf.json'), JSON.stringify({ output: { a: { value: 1 } } }));
    await terraform(['version'], work);
    await terraform(['-chdir=.', 'version', '-json'], work);
    writeFileSync(join(work, 'cdk.tf.json'), JSON.stringify({ output: { a: { value: 2 } } }));
    await terraform(['version'], work);
    const runs = readTerraformLog(log);
    expect(runs.map((r) => r.command)).toEqual(['version', 'version', 'version']);
    expect(runs[0].config).toBe(runs[1].config);
    expect(runs[2].config).not.toBe(runs[0].config);
    expect(runs.every((r) => r.seconds > 0)).toBe(true);
    expect(suiteFloor(runs)).toMatchObject({ invocations: 3, distinct: 2 });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
