import { runInNewContext } from 'node:vm';
import { ConfigError } from '../../../lib/errors';
import { defineCommand, executeCommand, EXIT, helpText, parseCommandLine, UsageError, type Command, type OptionDefs } from '../../../tools/cli';

// The runner behind every npm command, in process: what a command line becomes, and
// what each kind of failure prints and exits with. test/integration/cli/scripts.test.ts
// checks the same contract on the real scripts.

const sample = defineCommand({
  name: 'npm run sample',
  summary: 'A command for tests.',
  options: {
    env: { type: 'string', env: 'SAMPLE_ENVS', doc: 'environments' },
    target: { type: 'string', required: true, valueName: '<name>', doc: 'what to act on' },
    mode: { type: 'string', default: 'fast', doc: 'how' },
    tag: { type: 'string', multiple: true, doc: 'labels' },
    json: { type: 'boolean', doc: 'JSON output' },
    count: { type: 'integer', min: 1, default: 3, doc: 'how many' },
  },
  exitCodes: { 2: 'changes' },
  run: () => EXIT.ok,
});

/** Runs a command in process and returns its exit code and what it printed. */
async function execute<O extends OptionDefs>(command: Command<O>, argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += s), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += s), true));
  try {
    return { code: await executeCommand(command, argv, env), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const failing = (error: unknown) => defineCommand({ name: 'npm run boom', summary: 's', options: {}, run: () => Promise.reject(error) });

describe('parsing a command line', () => {
  it('fills defaults, empty lists and false flags, and converts integers', () => {
    expect(parseCommandLine(sample, ['--target', 't', '--count=7', '--tag', 'a', '--tag', 'b'], {})).toEqual({
      env: undefined,
      target: 't',
      mode: 'fast',
      tag: ['a', 'b'],
      json: false,
      count: 7,
    });
  });

  it('takes an option from its environment variable when the option is not given, and the option wins over it', () => {
    expect(parseCommandLine(sample, ['--target', 't'], { SAMPLE_ENVS: 'dev,prod' })).toMatchObject({ env: 'dev,prod' });
    expect(parseCommandLine(sample, ['--target', 't', '--env', 'qa'], { SAMPLE_ENVS: 'dev,prod' })).toMatchObject({ env: 'qa' });
  });

  it('answers --help and -h before checking required options', () => {
    expect(parseCommandLine(sample, ['--help'], {})).toBe('help');
    expect(parseCommandLine(sample, ['-h'], {})).toBe('help');
  });

  it.each([
    [['--target', 't', '--nope'], 'unknown option --nope'],
    [['--target'], '--target needs a value'],
    [['--target', 't', '--json=yes'], '--json takes no value'],
    [['--target', 't', 'stray'], 'unexpected argument stray'],
    [[], 'missing --target <name>'],
    [['--target', 't', '--count', '0'], '--count "0" must be a whole number >= 1'],
    [['--target', 't', '--count', '2.5'], '--count "2.5" must be a whole number >= 1'],
    [['--target', 't', '--count', '1e3'], '--count "1e3" must be a whole number >= 1'],
    [['--target', 't', '--count', '-1'], '--count needs a value (a value starting with "-" is written --count=-value)'],
    [['--target', 't', '--count=-1'], '--count "-1" must be a whole number >= 1'],
  ])('refuses %j as a usage error: %s', (argv, message) => {
    expect(() => parseCommandLine(sample, argv, {})).toThrow(new UsageError(message));
  });
});

describe('--help', () => {
  const text = helpText(sample as unknown as Command<OptionDefs>);

  it('shows the usage with required options, every option with its default and variable, and the exit codes', () => {
    expect(text).toMatch(/^usage: npm run sample -- --target <name> \[options\]\n\nA command for tests\.\n/);
    expect(text).toMatch(/^ {2}--env <value> +environments \[or \$SAMPLE_ENVS\]$/m);
    expect(text).toMatch(/^ {2}--target <name> +what to act on \[required\]$/m);
    expect(text).toMatch(/^ {2}--mode <value> +how \[default "fast"\]$/m);
    expect(text).toMatch(/^ {2}--tag <value> +labels \[repeatable\]$/m);
    expect(text).toMatch(/^ {2}--count <n> +how many \[default 3\]$/m);
    expect(text).toMatch(/^ {2}-h, --help +print this help and exit$/m);
    expect(text).toMatch(/exit codes:\n {2}0 +ok\n {2}1 +failure or bad input\n {2}2 +changes\n {2}64 +usage error/);
  });

  it('lists exit code 2 only for commands that declare it', () => {
    expect(helpText(failing(new Error()) as unknown as Command<OptionDefs>)).not.toMatch(/^ {2}2 /m);
  });

  it('prints to stdout and exits 0, without running the command', async () => {
    const run = jest.fn(() => EXIT.failure);
    const r = await execute({ ...sample, run }, ['--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(text);
    expect(run).not.toHaveBeenCalled();
  });
});

describe('exit codes and what each failure prints', () => {
  it('passes the exit code of the command through', async () => {
    const changes = defineCommand({ ...sample, run: () => EXIT.changes });
    expect((await execute(changes, ['--target', 't'])).code).toBe(2);
  });

  it('a usage error exits 64 with one line and a pointer to --help, without running the command', async () => {
    const run = jest.fn(() => EXIT.ok);
    const r = await execute({ ...sample, run }, ['--target', 't', '--bogus']);
    expect(r).toEqual({ code: 64, stdout: '', stderr: 'npm run sample: unknown option --bogus\nrun "npm run sample -- --help" for usage\n' });
    expect(run).not.toHaveBeenCalled();
  });

  it('a UsageError thrown by the command exits 64 too', async () => {
    const r = await execute(failing(new UsageError('--stack and --all exclude each other')), []);
    expect(r).toMatchObject({ code: 64, stderr: expect.stringMatching(/^npm run boom: --stack and --all exclude each other\n/) });
  });

  it('a configuration error prints its one-line problems and the note, never a stack trace, and exits 1', async () => {
    const problem = new ConfigError([
      { file: 'envs/dev.yaml', field: 'cloudflare.zoneId', message: 'expected 32 hex characters (got "abc")' },
      { file: 'envs/prod.yaml', field: 'hostnames[0].name', message: 'outside the zone' },
    ]);
    const command = { ...failing(problem), configErrorNote: 'Nothing was written.' };
    const r = await execute(command, [], { EDGE_DEBUG: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'invalid configuration (2 problems):\n  envs/dev.yaml: cloudflare.zoneId: expected 32 hex characters (got "abc")\n  envs/prod.yaml: hostnames[0].name: outside the zone\nNothing was written.\n',
    );
  });

  it('an unexpected error prints one line and how to see the trace, and exits 1', async () => {
    const r = await execute(failing(new Error('terraform exploded\n    with details')), []);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'npm run boom: terraform exploded\n(set EDGE_DEBUG=1 to print the stack trace)\n' });
  });

  it('with EDGE_DEBUG=1 an unexpected error prints its stack trace', async () => {
    const r = await execute(failing(new Error('terraform exploded')), [], { EDGE_DEBUG: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npm run boom: Error: terraform exploded\n\s+at /);
  });

  it('an error made in another realm (a vm context, a package the jest workers share) is still an error: its message, not "Error: ..."', async () => {
    const foreign = runInNewContext('new TypeError("terraform exploded")') as unknown;
    expect(foreign).not.toBeInstanceOf(Error);
    const r = await execute(failing(foreign), []);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'npm run boom: terraform exploded\n(set EDGE_DEBUG=1 to print the stack trace)\n' });
  });

  it('something thrown that is not an Error still ends as one line and exit 1', async () => {
    const r = await execute(failing('a string'), []);
    expect(r).toMatchObject({ code: 1, stderr: 'npm run boom: a string\n(set EDGE_DEBUG=1 to print the stack trace)\n' });
  });
});
