import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fromRoot } from '../lib/paths';
import { defineCommand, EXIT, runCommand } from '../tools/cli';
import { benchSuites, type Measurement, type SuiteBench, suiteTargets } from '../tools/bench/suites';

/**
 * `npm run bench`: one run that measures, side by side,
 *   (a) `npm run synth` (cached esbuild bundle, warm and cold) of every environment,
 *   (b) `npx cdktf synth` of the same app through the CLI,
 *   (c) the unit suite (`npm run test:unit`: the tests that run inside the jest process)
 *       and the whole jest suite against its floor (each distinct terraform run once,
 *       scripts/bench/suite-floor.ts),
 * with peak RSS of the largest node process of each, and how synth time grows with
 * 1, 50 and 200 protected hostnames in a generated environment.
 */


const probe = fromRoot('scripts', 'bench', 'rss-probe.cjs');

function measure(label: string, cmd: string, cmdArgs: string[], options: { runs: number; env?: NodeJS.ProcessEnv; before?: () => void }): Measurement {
  const seconds: number[] = [];
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
      const kb = readFileSync(rssFile, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
      peak = Math.max(peak ?? 0, ...kb.map((k) => k / 1024));
    }
  }
  return { label, seconds, peakRssMb: peak };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (m: Measurement) =>
  `${m.label.padEnd(46)} median ${median(m.seconds).toFixed(3)} s  (min ${Math.min(...m.seconds).toFixed(3)}, max ${Math.max(...m.seconds).toFixed(3)}, n=${m.seconds.length})  peak RSS ${m.peakRssMb?.toFixed(0) ?? '?'} MB`;

function generatedEnvs(hostnames: number): string {
  const base = parse(readFileSync(fromRoot('envs', 'dev.yaml'), 'utf8'));
  const names = Array.from({ length: hostnames }, (_, i) => `api${i}.dev.example.com`);
  base.hostnames = names.map((name, i) => ({ ...structuredClone(base.hostnames[i % base.hostnames.length] ?? {}), name }));
  const dir = mkdtempSync(join(tmpdir(), `bench-env-${hostnames}-`));
  writeFileSync(join(dir, 'dev.yaml'), stringify(base));
  return dir;
}

function main(args: { readonly runs: number; readonly 'skip-cli': boolean; readonly 'skip-jest': boolean }): void {
  const { runs } = args;
  const timed = (label: string, cmd: string, cmdArgs: string[], options: { runs?: number; env?: NodeJS.ProcessEnv; before?: () => void } = {}) =>
    measure(label, cmd, cmdArgs, { runs, ...options });
  const outdir = mkdtempSync(join(tmpdir(), 'bench-out-'));
  const synthEnv = { CDKTF_OUTDIR: join(outdir, 'cdktf.out') };
  const results: Measurement[] = [];
  console.log(`bench: ${runs} runs each, node ${process.version}, ${require('node:os').cpus().length} cores\n`);

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

  const scaling: Measurement[] = [];
  for (const n of [1, 50, 200]) {
    const dir = generatedEnvs(n);
    scaling.push(timed(`synth of one env with ${n} hostname${n > 1 ? 's' : ''}`, 'node', ['scripts/app.mjs'], { env: { ...synthEnv, EDGE_ENVS_DIR: dir } }));
    rmSync(dir, { recursive: true, force: true });
  }
  results.push(...scaling);

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
  console.log(`  200 hostnames / 1 hostname:          ${(median(scaling[2].seconds) / median(scaling[0].seconds)).toFixed(2)}x  (target <= 1.5x)`);
  console.log(`  50 hostnames / 1 hostname:           ${(median(scaling[1].seconds) / median(scaling[0].seconds)).toFixed(2)}x`);
  console.log('\ntargets (issue targets for an idle 2-core machine; say how busy the machine was when quoting these)');
  const target = (label: string, value: number, limit: number, shown: string): void =>
    console.log(`  ${label.padEnd(41)}${value <= limit ? 'met' : 'NOT met'} (${shown})`);
  target('all envs synthesize warm in <= 0.45 s:', median(warm.seconds), 0.45, `${median(warm.seconds).toFixed(3)} s`);
  const ratio = median(scaling[2].seconds) / median(scaling[0].seconds);
  target('200 hostnames <= 1.5x of 1 hostname:', ratio, 1.5, `${ratio.toFixed(2)}x`);
  const peak = Math.max(...[warm, cold, ...scaling].map((m) => m.peakRssMb ?? Infinity));
  target('peak RSS of synth <= 150 MB:', peak, 150, `${peak.toFixed(0)} MB`);
  for (const [label, value, limit, shown] of suites ? suiteTargets(suites) : []) target(label, value, limit, shown);
  rmSync(outdir, { recursive: true, force: true });
}

const bench = defineCommand({
  name: 'npm run bench',
  summary:
    'Measures synth speed and peak memory (cached bundle warm and cold, against cdktf synth), how synth time grows with 1, 50 and 200 hostnames, the unit suite, and the whole jest suite against its floor (each distinct terraform run once); prints medians and whether the targets are met.',
  options: {
    runs: { type: 'integer', min: 1, default: 5, doc: 'runs per measurement' },
    'skip-jest': { type: 'boolean', doc: 'do not time the jest suites' },
    'skip-cli': { type: 'boolean', doc: 'do not time npx cdktf synth' },
  },
  exitCodes: { 1: 'a measured command failed' },
  run(args) {
    main(args);
    return EXIT.ok;
  },
});

void runCommand(bench);
