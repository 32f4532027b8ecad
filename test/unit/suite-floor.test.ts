import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTerraformLog, renderSuiteFloor, suiteFloor } from '../../tools/bench/suite-floor';
import { scratchDir } from '../support/scratch';

// The floor of the whole suite (npm run bench): every distinct terraform run once, at
// the fastest the suite ran it. test/integration/terraform-log.test.ts checks that
// tools/terraform.ts writes the log this reads.

describe('the suite floor', () => {
  const runs = [
    { command: 'init', config: 'a', seconds: 4 },
    { command: 'init', config: 'a', seconds: 3 },
    { command: 'plan', config: 'a', seconds: 12 },
    { command: 'plan', config: 'a', seconds: 10 },
    { command: 'plan', config: 'b', seconds: 11 },
    { command: 'show', config: 'a', seconds: 2 },
    { command: 'show', config: 'a', seconds: 2 },
  ];

  it('counts each distinct (command, configuration) once, at its fastest run', () => {
    const floor = suiteFloor(runs);
    expect(floor).toMatchObject({ seconds: 3 + 10 + 11 + 2, spentSeconds: 44, invocations: 7, distinct: 4 });
    expect(floor.byCommand).toEqual([
      { command: 'init', runs: 2, distinct: 1, spent: 7, floor: 3 },
      { command: 'plan', runs: 3, distinct: 2, spent: 33, floor: 21 },
      { command: 'show', runs: 2, distinct: 1, spent: 4, floor: 2 },
    ]);
  });

  it('counts the state each run starts from too, for the least that sharing alone can reach: a plan after an apply is another plan', () => {
    const planned = [
      { command: 'plan', config: 'a', state: 'empty', seconds: 12 },
      { command: 'plan', config: 'a', state: 'empty', seconds: 10 },
      { command: 'plan', config: 'a', state: 'applied', seconds: 9 },
      { command: 'plan', config: 'b', seconds: 11 },
    ];
    const floor = suiteFloor(planned);
    expect(floor).toMatchObject({ seconds: 9 + 11, distinct: 2, withState: { seconds: 10 + 9 + 11, distinct: 3 } });
    expect(renderSuiteFloor(floor, 60)).toMatch(/^ {2}counting the state each run starts from too \(a plan after an apply is another plan\): 30\.0 s in 3 distinct runs/m);
  });

  it('prints the suite against it', () => {
    const text = renderSuiteFloor(suiteFloor(runs), 39);
    expect(text).toMatch(/^suite floor: 26\.0 s of terraform \(4 distinct runs of 7; the suite spent 44\.0 s in terraform\)$/m);
    expect(text).toMatch(/^ {2}terraform plan\s+3 runs,\s+2 distinct\s+spent\s+33\.0 s\s+floor\s+21\.0 s$/m);
    expect(text).toMatch(/^suite 39\.0 s \/ floor 26\.0 s \(26\.0 s over 1 jest worker\) = 1\.50x {2}\(target <= 1\.5x\)$/m);
  });

  it('spreads the floor over the jest workers: two workers can halve the wall time, never more', () => {
    const text = renderSuiteFloor(suiteFloor(runs), 19.5, 2);
    expect(text).toMatch(/^suite 19\.5 s \/ floor 13\.0 s \(26\.0 s over 2 jest workers\) = 1\.50x/m);
  });

  it('is zero, and the ratio infinite, when no terraform ran', () => {
    expect(suiteFloor([])).toMatchObject({ seconds: 0, distinct: 0 });
    expect(renderSuiteFloor(suiteFloor([]), 10)).toMatch(/= Infinityx/);
  });

  describe('the log', () => {
    const dir = scratchDir('edge-tf-log-');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is read line by line, with or without the state digest; a missing file is no runs', () => {
      const log = join(dir, 'ok.jsonl');
      const withState = { ...runs[1], state: 's1' };
      writeFileSync(log, `${JSON.stringify(runs[0])}\n\n${JSON.stringify(runs[2])}\n${JSON.stringify(withState)}\n`);
      expect(readTerraformLog(log)).toEqual([runs[0], runs[2], withState]);
      expect(readTerraformLog(join(dir, 'missing.jsonl'))).toEqual([]);
    });

    it('a line that is not a run names the file and line', () => {
      const log = join(dir, 'bad.jsonl');
      writeFileSync(log, `${JSON.stringify(runs[0])}\n{"command":"plan"}\n`);
      expect(() => readTerraformLog(log)).toThrow(`${log}:2: not a terraform log line: {"command":"plan"}`);
    });
  });
});
