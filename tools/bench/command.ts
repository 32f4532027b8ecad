import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { MAX_HOSTNAMES_PER_ENVIRONMENT } from '../../lib/hostnames';
import { fromRoot } from '../../lib/paths';
import { defineCommand, EXIT } from '../cli';
import { benchSuites, type Measurement, type SuiteBench, suiteTargets } from './suites';

/**
 * `npm run bench`: one run that measures, side by side,
 *   (a) `npm run synth` (cached esbuild bundle, warm and cold) of every environment,
 *   (b) `npx cdktf synth` of the same app through the CLI,
 *   (c) the unit suite (`npm run test:unit`: the tests that run inside the jest process)
 *       and the whole jest suite against its floor (each distinct terraform run once,
 *       tools/bench/suite-floor.ts),
 * with peak RSS of the largest node process of each; how synth time grows with the
 * protected hostnames (1, 25 and 50 in one generated environment, 50 being the limit
 * per environment, and 4 generated environments of 1 and of 50: 200 hostnames in one
 * synth); and what each cdktf patch of the bundle gains (scripts/app/cdktf-patches.mjs).
 */

const probe = fromRoot('tools', 'bench', 'rss-probe.cjs');

function measure(label: string, cmd: string, cmdArgs: string[], options: { runs: number; env?: NodeJS.ProcessEnv; before?: () => void }): Measurement {
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let peak: number | undefined;
  for (let i = 0; i < options.runs; i++) {
    options.before?.();
    const rssFile = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss');
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, cmdArgs, {
      cwd: fromRoot(),
      env: { ...process.env, ...options.env, NODE_OPTIONS: `--require ${probe}`, BENCH_RSS_FILE: rssFile, CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) {
      throw new Error(`${label}: ${cmd} ${cmdArgs.join(' ')} exited ${r.status}\n${r.stderr.toString().slice(-2000)}`);
    }
    seconds.push(elapsed);
    if (existsSync(rssFile)) {
      const lines = readFileSync(rssFile, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
      peak = Math.max(peak ?? 0, ...lines.map(([, kb]) => kb / 1024));
      cpuSeconds.push(lines.reduce((sum, [, , us]) => sum + (us ?? 0), 0) / 1e6);
    }
  }
  return { label, seconds, cpuSeconds, peakRssMb: peak };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (m: Measurement) =>
  `${m.label.padEnd(46)} median ${median(m.seconds).toFixed(3)} s  (min ${Math.min(...m.seconds).toFixed(3)}, max ${Math.max(...m.seconds).toFixed(3)}, n=${m.seconds.length})  CPU ${m.cpuSeconds.length > 0 ? median(m.cpuSeconds).toFixed(3) : '?'} s  peak RSS ${m.peakRssMb?.toFixed(0) ?? '?'} MB`;

/**
 * A folder of `envs` generated environments (bench0, bench1, ...) with `hostnames`
 * protected hostnames each, made from envs/dev.yaml: each with its own zone, state
 * prefix and hostnames, the first owning the Cloudflare account stack.
 */
function generatedEnvs(envs: number, hostnames: number): string {
  const base = parse(readFileSync(fromRoot('envs', 'dev.yaml'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), `bench-env-${envs}x${hostnames}-`));
  for (let k = 0; k < envs; k++) {
    const env = structuredClone(base);
    env.name = `bench${k}`;
    env.backend.keyPrefix = `edge-mtls/bench${k}`;
    env.cloudflare.zoneId = `${base.cloudflare.zoneId.slice(0, -1)}${k}`;
    env.cloudflare.zoneName = `bench${k}.example.com`;
    env.cloudflare.ownsAccountStack = k === 0;
    env.hostnames = Array.from({ length: hostnames }, (_, i) => ({ ...structuredClone(base.hostnames[i % base.hostnames.length]), name: `api${i}.bench${k}.example.com` }));
    writeFileSync(join(dir, `bench${k}.yaml`), stringify(env));
  }
  return dir;
}

type Timed = (label: string, cmd: string, cmdArgs: string[], options?: { runs?: number; env?: NodeJS.ProcessEnv; before?: () => void }) => Measurement;

interface Scaling {
  readonly oneEnv: ReadonlyMap<number, Measurement>;
  readonly fourByOne: Measurement;
  readonly fourByFifty: Measurement;
}

/** Synth of generated environments: one with 1, 25 and 50 hostnames, and four of 1 and of 50 (200 hostnames). */
function hostnameScaling(timed: Timed, synthEnv: NodeJS.ProcessEnv): Scaling {
  const run = (envs: number, hostnames: number): Measurement => {
    const dir = generatedEnvs(envs, hostnames);
    try {
      const label = envs === 1 ? `synth of 1 env, ${hostnames} hostname${hostnames > 1 ? 's' : ''}` : `synth of ${envs} envs x ${hostnames} hostname${hostnames > 1 ? 's' : ''} (${envs * hostnames})`;
      return timed(label, 'node', ['scripts/app.mjs'], { env: { ...synthEnv, EDGE_ENVS_DIR: dir } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const oneEnv = new Map([1, 25, MAX_HOSTNAMES_PER_ENVIRONMENT].map((n) => [n, run(1, n)]));
  return { oneEnv, fourByOne: run(4, 1), fourByFifty: run(4, MAX_HOSTNAMES_PER_ENVIRONMENT) };
}

/** Milliseconds each added hostname costs, from the medians of two runs `added` hostnames apart (wall time, or CPU time). */
const perHostnameMs = (fewer: Measurement, more: Measurement, added: number, of: 'seconds' | 'cpuSeconds' = 'seconds'): number =>
  ((median(more[of]) - median(fewer[of])) / added) * 1000;

function printScaling(s: Scaling): void {
  const max = MAX_HOSTNAMES_PER_ENVIRONMENT;
  const one = s.oneEnv.get(1)!;
  console.log(`\nhostnames (limit: ${max} per environment, lib/hostnames.ts MAX_HOSTNAMES_PER_ENVIRONMENT; 200 = 4 environments of ${max})`);
  console.log(`  per hostname, 1 env, 1 -> 25:         ${perHostnameMs(one, s.oneEnv.get(25)!, 24).toFixed(2)} ms`);
  console.log(`  per hostname, 1 env, 1 -> ${max}:         ${perHostnameMs(one, s.oneEnv.get(max)!, max - 1).toFixed(2)} ms`);
  console.log(`  per hostname, 4 envs, 4 -> ${4 * max}:       ${perHostnameMs(s.fourByOne, s.fourByFifty, 4 * (max - 1)).toFixed(2)} ms`);
  console.log(`  the same in CPU time:                 ${perHostnameMs(s.fourByOne, s.fourByFifty, 4 * (max - 1), 'cpuSeconds').toFixed(2)} ms`);
  console.log(`  ${max} / 1 hostname (1 env):              ${(median(s.oneEnv.get(max)!.seconds) / median(one.seconds)).toFixed(2)}x`);
  console.log(`  ${4 * max} / 4 hostnames (4 envs):           ${(median(s.fourByFifty.seconds) / median(s.fourByOne.seconds)).toFixed(2)}x`);
}

/**
 * What each cdktf patch of the bundle gains: synth of every environment, warm, with all
 * patches against without that one (EDGE_CDKTF_SKIP_PATCHES), and against cdktf as
 * shipped. The two are timed in alternation, run by run, so both see the same load. A
 * patch whose gain is within the noise no longer pays and can be dropped.
 */
async function patchGains(timed: Timed, synthEnv: NodeJS.ProcessEnv, runs: number): Promise<void> {
  const { PATCHES } = (await import(pathToFileURL(fromRoot('scripts', 'app', 'cdktf-patches.mjs')).href)) as { PATCHES: { name: string }[] };
  const warmUp = (env: NodeJS.ProcessEnv) => spawnSync('node', ['scripts/app.mjs'], { cwd: fromRoot(), env: { ...process.env, ...synthEnv, ...env } });
  const variants = [
    ...PATCHES.map((p) => ({ label: `without ${p.name}`, env: { EDGE_CDKTF_SKIP_PATCHES: p.name } })),
    { label: 'cdktf as shipped (no patch)', env: { EDGE_CDKTF_AS_SHIPPED: '1' } },
  ];
  console.log('\ncdktf patches (all envs warm, node scripts/app.mjs; each variant timed in alternation with every patch applied)');
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  for (const { label, env } of variants) {
    // Builds that variant's bundle and code cache first, so every run is warm.
    warmUp(env);
    const all: Measurement[] = [];
    const without: Measurement[] = [];
    for (let i = 0; i < runs; i++) {
      all.push(timed('every patch', 'node', ['scripts/app.mjs'], { runs: 1, env: synthEnv }));
      without.push(timed(label, 'node', ['scripts/app.mjs'], { runs: 1, env: { ...synthEnv, ...env } }));
    }
    const wall = (m: Measurement[]) => median(m.flatMap((x) => x.seconds));
    const cpu = (m: Measurement[]) => median(m.flatMap((x) => x.cpuSeconds));
    console.log(
      `  ${label.padEnd(36)} wall ${wall(without).toFixed(3)} s vs ${wall(all).toFixed(3)} s: gain ${ms(wall(without) - wall(all))};  ` +
        `CPU ${cpu(without).toFixed(3)} s vs ${cpu(all).toFixed(3)} s: gain ${ms(cpu(without) - cpu(all))} (${(((cpu(without) - cpu(all)) / cpu(without)) * 100).toFixed(0)}%)`,
    );
  }
}

async function main(args: { readonly runs: number; readonly 'skip-cli': boolean; readonly 'skip-jest': boolean; readonly 'skip-patches': boolean }): Promise<void> {
  const { runs } = args;
  const timed: Timed = (label, cmd, cmdArgs, options = {}) => measure(label, cmd, cmdArgs, { runs, ...options });
  const outdir = mkdtempSync(join(tmpdir(), 'bench-out-'));
  const synthEnv = { CDKTF_OUTDIR: join(outdir, 'cdktf.out') };
  const results: Measurement[] = [];
  const load = () => require('node:os').loadavg().map((l: number) => l.toFixed(2)).join(' ');
  console.log(`bench: ${runs} runs each, node ${process.version}, ${require('node:os').cpus().length} cores, load average ${load()}\n`);

  // Warm the bundle once so the "warm" figure is what a developer sees on the second run.
  spawnSync('node', ['scripts/app.mjs'], { cwd: fromRoot(), env: { ...process.env, ...synthEnv } });
  const warm = timed('(a) npm run synth, all envs, warm bundle', 'npm', ['run', '--silent', 'synth'], { env: synthEnv });
  const warmNode = timed('(a) node scripts/app.mjs (same, without npm)', 'node', ['scripts/app.mjs'], { env: synthEnv });
  const cold = timed('(a) npm run synth, all envs, cold bundle', 'npm', ['run', '--silent', 'synth'], {
    env: synthEnv,
    before: () => rmSync(fromRoot('.cache', 'app'), { recursive: true, force: true }),
  });
  results.push(warm, warmNode, cold);

  let cli: Measurement | undefined;
  if (!args['skip-cli']) {
    cli = timed('(b) npx cdktf synth, all envs', 'npx', ['cdktf', 'synth', '--output', join(outdir, 'cli.out')], { runs: Math.min(runs, 3) });
    results.push(cli);
  }

  const scaling = hostnameScaling(timed, synthEnv);
  results.push(...scaling.oneEnv.values(), scaling.fourByOne, scaling.fourByFifty);

  let suites: SuiteBench | undefined;
  if (!args['skip-jest']) {
    suites = benchSuites(timed, runs);
    results.push(suites.unit, suites.whole);
  }

  console.log(results.map(fmt).join('\n'));
  if (suites) console.log(`\n${suites.report}`);
  console.log('\nratios');
  if (cli) console.log(`  cdktf synth / npm run synth (warm):  ${(median(cli.seconds) / median(warm.seconds)).toFixed(1)}x  (target >= 5x)`);
  console.log(`  cold / warm bundle:                  ${(median(cold.seconds) / median(warm.seconds)).toFixed(2)}x`);
  printScaling(scaling);
  if (!args['skip-patches']) await patchGains(timed, synthEnv, runs);
  console.log('\ntargets (issue targets for an idle 2-core machine; say how busy the machine was when quoting these)');
  const target = (label: string, value: number, limit: number, shown: string): void =>
    console.log(`  ${label.padEnd(49)}${value <= limit ? 'met' : 'NOT met'} (${shown})`);
  target('npm run synth, all envs warm <= 0.45 s:', median(warm.seconds), 0.45, `${median(warm.seconds).toFixed(3)} s`);
  target('node scripts/app.mjs, all envs warm <= 0.45 s:', median(warmNode.seconds), 0.45, `${median(warmNode.seconds).toFixed(3)} s`);
  const perHost = perHostnameMs(scaling.fourByOne, scaling.fourByFifty, 4 * (MAX_HOSTNAMES_PER_ENVIRONMENT - 1));
  target('per-hostname cost <= 1 ms (4 -> 200):', perHost, 1, `${perHost.toFixed(2)} ms`);
  const ratio = median(scaling.fourByFifty.seconds) / median(scaling.fourByOne.seconds);
  target('200 hostnames <= 1.5x of 4 (4 envs):', ratio, 1.5, `${ratio.toFixed(2)}x`);
  const peak = Math.max(...[warm, warmNode, cold, ...scaling.oneEnv.values(), scaling.fourByOne, scaling.fourByFifty].map((m) => m.peakRssMb ?? Infinity));
  target('peak RSS of synth <= 150 MB:', peak, 150, `${peak.toFixed(0)} MB`);
  for (const [label, value, limit, shown] of suites ? suiteTargets(suites) : []) target(label, value, limit, shown);
  console.log(`\nload average at the end: ${load()}`);
  rmSync(outdir, { recursive: true, force: true });
}

/** `npm run bench`: synth speed and memory, hostname scaling, per-patch gain, and the suites against their floor. */
export const benchCommand = defineCommand({
  name: 'npm run bench',
  summary:
    'Measures synth speed and peak memory (cached bundle warm and cold, against cdktf synth), how synth time grows with hostnames (1, 25 and 50 in one environment, 50 being the limit; 4 environments of 1 and of 50), what each cdktf patch of the bundle gains, the unit suite, and the whole jest suite against its floor (each distinct terraform run once); prints medians and whether the targets are met.',
  options: {
    runs: { type: 'integer', min: 1, default: 5, doc: 'runs per measurement' },
    'skip-jest': { type: 'boolean', doc: 'do not time the jest suites' },
    'skip-cli': { type: 'boolean', doc: 'do not time npx cdktf synth' },
    'skip-patches': { type: 'boolean', doc: 'do not time synth without each cdktf patch' },
  },
  exitCodes: { 1: 'a measured command failed' },
  async run(args) {
    await main(args);
    return EXIT.ok;
  },
});

