import { parseOptions } from '../tools/cli';
import { ConfigError } from '../lib/errors';
import { writeFileSync } from 'node:fs';
import { apply, down, LocalNotRunning, localUnavailableReason, report, start, status, up } from '../tools/local/local';
import { renderJson } from '../tools/plan/plan-report';

const USAGE = `usage: npm run local -- <command>
  up       start moto_server on a free loopback port and the verify stand-ins, seed what
           the local environment needs, and apply it (idempotent); --skip-stand-ins:
           no nginx stand-ins (verify then has nothing to check)
  start    up without the apply (moto, seed, stand-ins)
  apply    apply again (plan, report, apply the saved plans)
  plan     the plan report of the AWS part against the running moto [--json <file>]
  drift    the drift report (exit 0 right after up or apply) [--json <file>]
  status   what is running
  down     stop everything up started and remove the local state (--purge: .local/ too)
exit code: 0 = done / no changes, 1 = failure, 2 = changes or drift (plan, drift) or
stacks still waiting (up, apply), 64 = usage
EDGE_LOCAL_DIR=<dir> keeps everything (run files, state, work dirs) in <dir> instead of
.local/ and terraform-state/local/: a second, isolated local environment.`;

const EX_USAGE = 64;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseOptions(rest, { purge: { type: 'boolean', default: false }, 'skip-stand-ins': { type: 'boolean', default: false }, json: { type: 'string' } }, USAGE);
  if (!args) return EX_USAGE;
  if (!['up', 'start', 'apply', 'plan', 'drift', 'status', 'down'].includes(command ?? '')) {
    console.error(`${command === undefined ? 'a command is required' : `unknown command ${JSON.stringify(command)}`}\n${USAGE}`);
    return EX_USAGE;
  }
  if (args.purge && command !== 'down') {
    console.error(`--purge goes with down only\n${USAGE}`);
    return EX_USAGE;
  }
  if (args.json && command !== 'plan' && command !== 'drift') {
    console.error(`--json goes with plan and drift only\n${USAGE}`);
    return EX_USAGE;
  }
  if (args['skip-stand-ins'] && command !== 'up' && command !== 'start') {
    console.error(`--skip-stand-ins goes with up and start only\n${USAGE}`);
    return EX_USAGE;
  }
  const unavailable = localUnavailableReason();
  if (unavailable && ['up', 'start', 'apply', 'plan', 'drift'].includes(command)) {
    console.error(`local ${command}: cannot run: ${unavailable}`);
    return 1;
  }
  try {
    switch (command) {
      case 'up':
        return (await up({ standIns: !args['skip-stand-ins'] })).exitCode;
      case 'start':
        await start({ standIns: !args['skip-stand-ins'] });
        return 0;
      case 'apply':
        return (await apply()).exitCode;
      case 'plan':
      case 'drift': {
        const result = await report(command);
        if (args.json) writeFileSync(args.json, renderJson(result));
        return result.exitCode;
      }
      case 'status':
        return (await status()) ? 0 : 1;
      default:
        await down({ purge: args.purge });
        return 0;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof LocalNotRunning) {
      console.error(`local ${command}: ${e.message}`);
      return 1;
    }
    console.error(`local ${command}: ${(e as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  () => (process.exitCode = 1),
);
