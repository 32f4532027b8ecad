import { defineCommand, EXIT } from '../cli';

const url = (what: string) => ({ type: 'string', valueName: '<url>', doc: `${what} (overrides the env file's verify section)` }) as const;
const file = (what: string) => ({ type: 'string', valueName: '<file>', doc: `${what} (overrides the env file's verify section)` }) as const;

/** `npm run verify`: real TLS handshakes against the live endpoints of an environment. */
export const verifyCommand = defineCommand({
  name: 'npm run verify',
  summary:
    'Real TLS handshakes against the live endpoints of one environment: the origin demands our CA and refuses no or foreign certificates, the default endpoint is closed, the edge speaks TLS 1.2+ and answers 403 without a certificate, and no certificate is close to expiry. Targets come from the env file\'s verify section, the options, or both.',
  options: {
    env: { type: 'string', valueName: '<env>', doc: "read targets and files from envs/<env>.yaml's verify section" },
    'origin-url': url('the API Gateway custom domain'),
    'edge-url': url('the hostname behind Cloudflare'),
    'default-endpoint-url': url('the execute-api endpoint that must be closed'),
    ca: file('our CA bundle (PEM)'),
    cert: file('a client certificate from our CA (PEM)'),
    key: file("that certificate's private key (PEM)"),
    'server-ca': file('CA to trust for the servers (PEM)'),
    resolve: { type: 'string', multiple: true, valueName: '<host:port:address>', doc: 'connect to this address for host:port (like curl --resolve)' },
    'warn-days': { type: 'integer', min: 1, doc: 'warn when a certificate expires within this many days (default 30)' },
    'timeout-ms': { type: 'integer', min: 1, doc: 'per-connection timeout in milliseconds (default 5000)' },
    json: { type: 'boolean', doc: 'print the results as JSON instead of a table' },
  },
  exitCodes: { 1: 'a check failed, or bad input (a missing target, an unreadable file)' },
  configErrorNote: 'Nothing was checked; run "npm run verify -- --help" for the options.',
  async run(args) {
    const { formatTable, runChecks } = await import('./checks');
    const { verifyInput } = await import('./input');
    // `--env local`: the stand-ins' ports, as `npm run local` recorded them.
    const standInPorts = args.env === 'local' ? (await import('../local/run-file')).recordedStandInPorts() : undefined;
    if (args.env === 'local' && !standInPorts) {
      // Only worth saying when the env file names the stand-ins' placeholder ports.
      const { loadEnvironment } = await import('../../envs/load');
      const { ENV_FILE_PORTS } = await import('../local/harness');
      const section = loadEnvironment('local').config.verify;
      const placeholders = [ENV_FILE_PORTS.origin, ENV_FILE_PORTS.edge].map((p) => `:${p}`);
      if ([section?.originUrl, section?.edgeUrl].some((u) => u !== undefined && placeholders.some((p) => u.includes(p)))) {
        process.stderr.write('note: no running verify stand-ins recorded in .local/run.json (start them with `npm run local -- up`); using the ports envs/local.yaml names\n');
      }
    }
    const results = await runChecks(
      verifyInput({
        env: args.env,
        originUrl: args['origin-url'],
        edgeUrl: args['edge-url'],
        defaultEndpointUrl: args['default-endpoint-url'],
        ca: args.ca,
        cert: args.cert,
        key: args.key,
        serverCa: args['server-ca'],
        resolve: args.resolve,
        warnDays: args['warn-days'],
        timeoutMs: args['timeout-ms'],
        standInPorts,
      }),
    );
    const passed = results.every((r) => r.status !== 'fail');
    process.stdout.write(`${args.json ? JSON.stringify({ passed, results }, null, 2) : formatTable(results)}\n`);
    return passed ? EXIT.ok : EXIT.failure;
  },
});
