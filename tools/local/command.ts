import { writeFileSync } from 'node:fs';
import { defineCommand, EXIT, executeCommand, type Command, type ExitCode, type OptionDefs } from '../cli';

/**
 * `npm run local -- <command> [options]`: the `local` environment on this machine
 * (tools/local/local.ts). Each sub-command is a runner command of its own, so each
 * answers `--help` and refuses unknown options the same way as every npm command.
 */

const EXIT_CODES = { 1: 'failure, or the local environment is not running (the message says how to start it)' } as const;
const STAND_INS = { 'skip-stand-ins': { type: 'boolean', doc: 'do not start the nginx stand-ins `npm run verify -- --env local` checks' } } as const;

async function unavailable(what: string): Promise<boolean> {
  const { localUnavailableReason } = await import('./local');
  const reason = localUnavailableReason();
  if (reason) process.stderr.write(`local ${what}: cannot run: ${reason}\n`);
  return reason !== undefined;
}

async function guarded(what: string, run: () => Promise<ExitCode>): Promise<ExitCode> {
  const { LocalNotRunning } = await import('./local');
  try {
    return await run();
  } catch (e) {
    if (e instanceof LocalNotRunning) {
      process.stderr.write(`local ${what}: ${e.message}\n`);
      return EXIT.failure;
    }
    throw e;
  }
}

const up = defineCommand({
  name: 'npm run local -- up',
  summary:
    'Starts moto_server on a free loopback port (MOTO_ACM_VALIDATION_WAIT=0, MOTO_IAM_LOAD_MANAGED_POLICIES=true; fake credentials for its own child processes only), makes a throwaway PKI in .local/pki/, stores the keyless edge certificate in moto\'s SSM, starts the verify stand-ins, then plans, shows and applies the AWS part of every stack (as npm run apply --auto-approve). Reuses what is already running. Prints the next commands to try.',
  options: STAND_INS,
  exitCodes: { ...EXIT_CODES, 0: 'applied', 2: 'stacks still waiting for something (named)' },
  async run(args) {
    if (await unavailable('up')) return EXIT.failure;
    const { up: bringUp } = await import('./local');
    return (await bringUp({ standIns: !args['skip-stand-ins'] })).exitCode;
  },
});

const start = defineCommand({
  name: 'npm run local -- start',
  summary: 'up without the apply: moto_server, the SSM seed and the verify stand-ins.',
  options: STAND_INS,
  exitCodes: EXIT_CODES,
  async run(args) {
    if (await unavailable('start')) return EXIT.failure;
    const { start: startLocal } = await import('./local');
    await startLocal({ standIns: !args['skip-stand-ins'] });
    return EXIT.ok;
  },
});

const apply = defineCommand({
  name: 'npm run local -- apply',
  summary: 'Plans, shows and applies the AWS part of every stack against the running moto (as npm run apply --auto-approve).',
  options: {},
  exitCodes: { ...EXIT_CODES, 0: 'applied', 2: 'stacks still waiting for something (named)' },
  async run() {
    if (await unavailable('apply')) return EXIT.failure;
    const { apply: applyLocal } = await import('./local');
    return guarded('apply', async () => (await applyLocal()).exitCode);
  },
});

function report(mode: 'plan' | 'drift') {
  return defineCommand({
    name: `npm run local -- ${mode}`,
    summary: `The ${mode} report of the AWS part of every stack against the running moto${mode === 'drift' ? ' (exit 0 right after up or apply: the emulator gaps envs/local.yaml names are listed, not counted)' : ''}.`,
    options: { json: { type: 'string', valueName: '<file>', doc: 'also write the report as JSON to this file' } },
    exitCodes: { ...EXIT_CODES, 0: 'no changes', 2: mode === 'drift' ? 'drift' : 'changes, or stacks waiting' },
    async run(args) {
      if (await unavailable(mode)) return EXIT.failure;
      const { report: run } = await import('./local');
      const { renderJson } = await import('../plan/plan-report');
      return guarded(mode, async () => {
        const result = await run(mode);
        if (args.json) writeFileSync(args.json, renderJson(result));
        return result.exitCode;
      });
    },
  });
}

const bypass = defineCommand({
  name: 'npm run local -- bypass',
  summary: 'The bypass check of local against the running moto (every region moto serves, the state of this run): exit 0 right after up; the emulator gaps envs/local.yaml names and the missing Cloudflare are listed as gaps, not findings.',
  options: {
    regions: { type: 'string', valueName: '<list>', doc: 'regions to sweep besides us-east-1, comma-separated (default: every region moto reports enabled)' },
    json: { type: 'string', valueName: '<file>', doc: 'also write the report as JSON to this file' },
  },
  exitCodes: { ...EXIT_CODES, 0: 'no finding', 2: 'a finding' },
  async run(args) {
    if (await unavailable('bypass')) return EXIT.failure;
    const { bypass: run } = await import('./local');
    const { renderBypassJson } = await import('../bypass/report');
    return guarded('bypass', async () => {
      const result = await run({ regions: args.regions?.split(',').filter(Boolean) });
      if (args.json) writeFileSync(args.json, renderBypassJson(result));
      return result.findings.length > 0 ? EXIT.changes : EXIT.ok;
    });
  },
});

const status = defineCommand({
  name: 'npm run local -- status',
  summary: 'Says whether moto_server and the verify stand-ins are running.',
  options: {},
  exitCodes: { 0: 'moto_server is running', 1: 'moto_server is not running' },
  async run() {
    const { status: show } = await import('./local');
    return (await show()) ? EXIT.ok : EXIT.failure;
  },
});

const down = defineCommand({
  name: 'npm run local -- down',
  summary: 'Stops what up started (only the processes it recorded, checked by command line) and removes the local state, which described the stopped emulator. The PKI in .local/pki/ stays unless --purge.',
  options: { purge: { type: 'boolean', doc: 'also remove .local/ (the PKI, logs)' } },
  async run(args) {
    const { down: stop } = await import('./local');
    await stop({ purge: args.purge });
    return EXIT.ok;
  },
});

export const LOCAL_COMMANDS: Readonly<Record<string, Command<OptionDefs>>> = {
  up, start, apply, plan: report('plan'), drift: report('drift'), bypass, status, down,
} as unknown as Record<string, Command<OptionDefs>>;

export const LOCAL_USAGE = `usage: npm run local -- <command> [options]

The local environment on this machine: moto_server as AWS, nginx stand-ins for verify.

commands (npm run local -- <command> --help for each):
  up       start moto_server, seed it, start the verify stand-ins, apply (idempotent)
  start    up without the apply
  apply    plan, show and apply the AWS part again
  plan     the plan report against the running moto
  drift    the drift report and the live checks (exit 0 right after up or apply)
  bypass   the bypass check against this moto (exit 0 right after up or apply)
  status   what is running
  down     stop everything up started and forget the local state

options:
  -h, --help  print this help and exit

environment:
  EDGE_LOCAL_DIR=<dir>  keep run files, state and work dirs in <dir> instead of .local/
                        and terraform-state/local/: a second, isolated local environment

exit codes:
  0   ok (up, apply: applied; plan, drift: no changes)
  1   failure, or the local environment is not running
  2   changes or drift (plan, drift), stacks still waiting (up, apply)
  64  usage error (unknown command or option, missing or malformed value)
`;

/** Picks the sub-command from the first argument and runs it on the rest. */
export async function runLocal(argv: readonly string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(LOCAL_USAGE);
    return EXIT.ok;
  }
  if (name?.startsWith('-')) {
    process.stderr.write(`npm run local: unknown option ${name}\nrun "npm run local -- --help" for usage\n`);
    return EXIT.usage;
  }
  const command = name === undefined ? undefined : LOCAL_COMMANDS[name];
  if (!command || !Object.hasOwn(LOCAL_COMMANDS, name!)) {
    process.stderr.write(`npm run local: ${name === undefined ? 'a command is required' : `unknown command ${JSON.stringify(name)}`}\nrun "npm run local -- --help" for usage\n`);
    return EXIT.usage;
  }
  return executeCommand(command, rest);
}
