import { ConfigError } from '../lib/errors';
import { formatTable, runChecks } from '../tools/verify/checks';
import { verifyInput, type VerifyFlags } from '../tools/verify/input';

const USAGE = `usage: npm run verify -- [--env <env>] [--origin-url URL] [--edge-url URL] [--default-endpoint-url URL]
       [--ca FILE] [--cert FILE] [--key FILE] [--server-ca FILE] [--resolve host:port:address]... [--warn-days N] [--json]`;

const VALUE_FLAGS: Record<string, keyof VerifyFlags> = {
  '--env': 'env',
  '--origin-url': 'originUrl',
  '--edge-url': 'edgeUrl',
  '--default-endpoint-url': 'defaultEndpointUrl',
  '--ca': 'ca',
  '--cert': 'cert',
  '--key': 'key',
  '--server-ca': 'serverCa',
};

/**
 * `npm run verify`: real TLS handshakes against the live endpoints of an environment.
 * Prints a table (or `--json`); exit 1 when any check fails, 2 on bad usage.
 */
async function main(argv: string[]): Promise<number> {
  const flags: VerifyFlags = { resolve: [] };
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--json') json = true;
    else if (name === '--resolve') flags.resolve.push(value());
    else if (name === '--warn-days') flags.warnDays = Number(value());
    else if (name === '--timeout-ms') flags.timeoutMs = Number(value());
    else if (VALUE_FLAGS[name]) (flags as unknown as Record<string, string>)[VALUE_FLAGS[name]] = value();
    else {
      process.stderr.write(`unknown argument "${arg}"\n${USAGE}\n`);
      return 2;
    }
  }
  try {
    const results = await runChecks(verifyInput(flags));
    const passed = results.every((r) => r.status !== 'fail');
    process.stdout.write(`${json ? JSON.stringify({ passed, results }, null, 2) : formatTable(results)}\n`);
    return passed ? 0 : 1;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
