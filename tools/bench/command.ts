import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { MAX_HOSTNAMES_PER_ENVIRONMENT } from '../../lib/hostnames';
import { fromRoot } from '../../lib/paths';
import { defineCommand, EXIT } from '../cli';
import { figure, met, showFigure, showTarget, type Target } from './figures';
import { type Scratch, withScratch } from './scratch';
import { benchSuites, type Measurement, type SuiteBench, suiteTargets } from './suites';

/**
 * `npm run bench`: one run that measures, side by side,
 *   (a) `npm run synth` (cached esbuild bundle, warm and cold) of every environment,
 *       next to what npm and node take to start here with nothing to run,
 *   (b) `npx cdktf synth` of the same app through the CLI,
 *   (c) the unit suite (`npm run test:unit`: the tests that run inside the jest process)
 *       and the whole jest suite against its floor (each distinct terraform run once,
 *       tools/bench/suite-floor.ts),
 * with peak RSS of the largest node process of each; how synth time grows with the
 * protected hostnames (1, 25 and 50 in one generated environment, 50 being the limit
 * per environment, and 4 generated environments of 1 and of 50: 200 hostnames in one
 * synth); and what each cdktf patch of the bundle gains (scripts/app/cdktf-patches.mjs).
 * Each speed-target figure ends the output as the median of its runs with min–max, against
 * its target. Everything bench writes goes in one scratch folder, removed when it ends,
 * fails or is interrupted (tools/bench/scratch.ts).
 */

const probe = fromRoot('tools', 'bench', 'rss-probe.cjs');

function measure(scratch: Scratch, label: string, cmd: string, cmdArgs: string[], options: { runs: number; env?: NodeJS.ProcessEnv; before?: () => void; cwd?: string }): Measurement {
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  const rssMb: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    options.before?.();
    const rssFile = scratch.file('rss');
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, cmdArgs, {
      cwd: options.cwd ?? fromRoot(),
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
      rssMb.push(Math.max(...lines.map(([, kb]) => kb / 1024)));
      cpuSeconds.push(lines.reduce((sum, [, , us]) => sum + (us ?? 0), 0) / 1e6);
    }
  }
  return { label, seconds, cpuSeconds, rssMb, peakRssMb: rssMb.length > 0 ? Math.max(...rssMb) : undefined };
}

const median = (xs: number[]) => figure(xs).median;
const fmt = (m: Measurement) =>
  `${m.label.padEnd(46)} ${showFigure(figure(m.seconds), 3, 's')}  CPU ${m.cpuSeconds.length > 0 ? showFigure(figure(m.cpuSeconds), 3, 's') : '?'}  peak RSS ${m.peakRssMb?.toFixed(0) ?? '?'} MB`;

/**
 * A folder of `envs` generated environments (bench0, bench1, ...) with `hostnames`
 * protected hostnames each, made from envs/dev.yaml: each with its own zone, state
 * prefix and hostnames, the first owning the Cloudflare account stack.
 */
function generatedEnvs(scratch: Scratch, envs: number, hostnames: number): string {
  const base = parse(readFileSync(fromRoot('envs', 'dev.yaml'), 'utf8'));
  const dir = scratch.folder(`env-${envs}x${hostnames}`);
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

type Timed = (label: string, cmd: string, cmdArgs: string[], options?: { runs?: number; env?: NodeJS.ProcessEnv; before?: () => void; cwd?: string }) => Measurement;

/**
 * What starting npm and node costs on this machine before any of our code runs: `npm
 * run` of a package whose script is `node -e 0`, and `node -e 0` alone. `npm run synth`
 * contains both, `node scripts/app.mjs` node's; the rest of each synth figure is ours.
 */
function startUp(scratch: Scratch, timed: Timed): { readonly npmRun: Measurement; readonly node: Measurement } {
  const dir = scratch.folder('start-up');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-start-up', version: '0.0.0', private: true, scripts: { nothing: 'node -e 0' } }));
  return {
    npmRun: timed('(a) npm run of `node -e 0` (start-up only)', 'npm', ['run', '--silent', 'nothing'], { cwd: dir }),
    node: timed('(a) node -e 0 (start-up only)', 'node', ['-e', '0'], { cwd: dir }),
  };
}

interface Scaling {
  readonly oneEnv: ReadonlyMap<number, Measurement>;
  readonly fourByOne: Measurement;
  readonly fourByFifty: Measurement;
}

/**
 * Synth of generated environments: one with 1, 25 and 50 hostnames, and four of 1 and
 * of 50 (200 hostnames). Runs being compared are timed in alternation, run by run, so
 * the i-th runs of each saw the same load and each pair gives one per-hostname figure.
 */
function hostnameScaling(scratch: Scratch, timed: Timed, synthEnv: NodeJS.ProcessEnv, runs: number): Scaling {
  const cases = [
    [1, 1],
    [1, 25],
    [1, MAX_HOSTNAMES_PER_ENVIRONMENT],
    [4, 1],
    [4, MAX_HOSTNAMES_PER_ENVIRONMENT],
  ].map(([envs, hostnames]) => ({
    envs,
    hostnames,
    dir: generatedEnvs(scratch, envs, hostnames),
    label: envs === 1 ? `synth of 1 env, ${hostnames} hostname${hostnames > 1 ? 's' : ''}` : `synth of ${envs} envs x ${hostnames} hostname${hostnames > 1 ? 's' : ''} (${envs * hostnames})`,
    runs: [] as Measurement[],
  }));
  for (let i = 0; i < runs; i++) {
    for (const c of cases) c.runs.push(timed(c.label, 'node', ['scripts/app.mjs'], { runs: 1, env: { ...synthEnv, EDGE_ENVS_DIR: c.dir } }));
  }
  for (const c of cases) rmSync(c.dir, { recursive: true, force: true });
  const merged = cases.map((c): Measurement => {
    const rssMb = c.runs.flatMap((m) => m.rssMb);
    return { label: c.label, seconds: c.runs.flatMap((m) => m.seconds), cpuSeconds: c.runs.flatMap((m) => m.cpuSeconds), rssMb, peakRssMb: rssMb.length > 0 ? Math.max(...rssMb) : undefined };
  });
  return { oneEnv: new Map(merged.slice(0, 3).map((m, i) => [cases[i].hostnames, m])), fourByOne: merged[3], fourByFifty: merged[4] };
}

/** Milliseconds each added hostname costs, one figure per pair of runs `added` hostnames apart (wall time, or CPU time). */
const perHostnameMs = (fewer: Measurement, more: Measurement, added: number, of: 'seconds' | 'cpuSeconds' = 'seconds') =>
  figure(more[of].map((s, i) => ((s - fewer[of][i]) / added) * 1000));

/** How many times longer the larger synth took, one figure per pair of runs. */
const growth = (fewer: Measurement, more: Measurement, of: 'seconds' | 'cpuSeconds' = 'seconds') => figure(more[of].map((s, i) => s / fewer[of][i]));

function printScaling(s: Scaling): void {
  const max = MAX_HOSTNAMES_PER_ENVIRONMENT;
  const one = s.oneEnv.get(1)!;
  const line = (label: string, f: ReturnType<typeof figure>, digits: number, unit: string) => console.log(`  ${label.padEnd(38)}${showFigure(f, digits, unit)}`);
  console.log(`\nhostnames (limit: ${max} per environment, lib/hostnames.ts MAX_HOSTNAMES_PER_ENVIRONMENT; 200 = 4 environments of ${max}; wall, and CPU of every node process)`);
  line('per hostname, 1 env, 1 -> 25:', perHostnameMs(one, s.oneEnv.get(25)!, 24), 2, 'ms');
  line(`per hostname, 1 env, 1 -> ${max}:`, perHostnameMs(one, s.oneEnv.get(max)!, max - 1), 2, 'ms');
  line(`per hostname, 4 envs, 4 -> ${4 * max}:`, perHostnameMs(s.fourByOne, s.fourByFifty, 4 * (max - 1)), 2, 'ms');
  line('  the same in CPU time:', perHostnameMs(s.fourByOne, s.fourByFifty, 4 * (max - 1), 'cpuSeconds'), 2, 'ms');
  line(`${max} / 1 hostname (1 env):`, growth(one, s.oneEnv.get(max)!), 2, 'x');
  line(`${4 * max} / 4 hostnames (4 envs):`, growth(s.fourByOne, s.fourByFifty), 2, 'x');
  line('  the same in CPU time:', growth(s.fourByOne, s.fourByFifty, 'cpuSeconds'), 2, 'x');
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

async function main(scratch: Scratch, args: { readonly runs: number; readonly 'skip-cli': boolean; readonly 'skip-jest': boolean; readonly 'skip-patches': boolean }): Promise<void> {
  const { runs } = args;
  const timed: Timed = (label, cmd, cmdArgs, options = {}) => measure(scratch, label, cmd, cmdArgs, { runs, ...options });
  const outdir = scratch.folder('out');
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
  const startUpOnly = startUp(scratch, timed);
  results.push(warm, warmNode, cold, startUpOnly.npmRun, startUpOnly.node);

  let cli: Measurement | undefined;
  if (!args['skip-cli']) {
    cli = timed('(b) npx cdktf synth, all envs', 'npx', ['cdktf', 'synth', '--output', join(outdir, 'cli.out')], { runs: Math.min(runs, 3) });
    results.push(cli);
  }

  const scaling = hostnameScaling(scratch, timed, synthEnv, runs);
  results.push(...scaling.oneEnv.values(), scaling.fourByOne, scaling.fourByFifty);

  let suites: SuiteBench | undefined;
  if (!args['skip-jest']) {
    suites = benchSuites(timed, runs, scratch.folder('terraform'));
    results.push(suites.unit, suites.whole);
  }

  console.log(results.map(fmt).join('\n'));
  if (suites) console.log(`\n${suites.report}`);
  console.log('\nratios');
  if (cli) console.log(`  cdktf synth / npm run synth (warm):  ${(median(cli.seconds) / median(warm.seconds)).toFixed(1)}x  (target >= 5x)`);
  console.log(`  cold / warm bundle:                  ${(median(cold.seconds) / median(warm.seconds)).toFixed(2)}x`);
  printScaling(scaling);
  if (!args['skip-patches']) await patchGains(timed, synthEnv, runs);
  const targets = synthTargets(warm, warmNode, cold, scaling, startUpOnly);
  if (suites) targets.push(...suiteTargets(suites));
  console.log(`\nspeed targets (for an idle 2-core machine; say how busy the machine was when quoting these): ${targets.filter(met).length} of ${targets.length} met`);
  for (const t of targets) console.log(showTarget(t));
  console.log(`\nload average at the end: ${load()}`);
}

/** The synth speed targets, each judged on the median of its runs. */
function synthTargets(warm: Measurement, warmNode: Measurement, cold: Measurement, scaling: Scaling, startUpOnly: ReturnType<typeof startUp>): Target[] {
  const max = MAX_HOSTNAMES_PER_ENVIRONMENT;
  // Peak RSS is judged on the synth whose runs peak highest (the cold bundle, which also builds it).
  const synths = [warm, warmNode, cold, ...scaling.oneEnv.values(), scaling.fourByOne, scaling.fourByFifty].filter((m) => m.rssMb.length > 0);
  const highest = synths.reduce((a, b) => (figure(b.rssMb).median > figure(a.rssMb).median ? b : a));
  return [
    { label: 'npm run synth, all envs warm', limit: 0.45, figure: figure(warm.seconds), digits: 3, unit: 's', note: `npm and node start-up alone: ${median(startUpOnly.npmRun.seconds).toFixed(3)} s` },
    { label: 'node scripts/app.mjs, all envs warm', limit: 0.45, figure: figure(warmNode.seconds), digits: 3, unit: 's', note: `node start-up alone: ${median(startUpOnly.node.seconds).toFixed(3)} s` },
    { label: `per-hostname cost (4 -> ${4 * max} hostnames)`, limit: 1, figure: perHostnameMs(scaling.fourByOne, scaling.fourByFifty, 4 * (max - 1)), digits: 2, unit: 'ms' },
    { label: `${4 * max} hostnames / 4 (4 envs)`, limit: 1.5, figure: growth(scaling.fourByOne, scaling.fourByFifty), digits: 2, unit: 'x' },
    { label: 'peak RSS of synth', limit: 150, figure: figure(highest.rssMb), digits: 0, unit: 'MB', note: highest.label.replace(/^\(a\) /, '') },
  ];
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
    await withScratch((scratch) => main(scratch, args));
    return EXIT.ok;
  },
});

