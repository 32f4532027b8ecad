import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { buildApp } from '../../stacks/app';

/**
 * Synthesizes the selected environments into a fresh temporary folder and swaps it
 * in only when everything succeeded, so a failed run leaves the previous
 * `cdktf.out/` exactly as it was.
 */
export function synthesize(options: { outdir?: string; selector?: string; envsDir?: string } = {}): string[] {
  const outdir = resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out');
  const staging = `${outdir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const { app } = buildApp({ outdir: staging, selector: options.selector, envsDir: options.envsDir });
    app.synth();
    const previous = `${outdir}.old-${process.pid}`;
    if (existsSync(outdir)) renameSync(outdir, previous);
    renameSync(staging, outdir);
    rmSync(previous, { recursive: true, force: true });
    return app.node.children.map((c) => c.node.id);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** CLI entry: prints one line per configuration problem and exits 1 on bad input. */
export function runApp(): void {
  try {
    const stacks = synthesize({ selector: process.env.ENVS });
    const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
    process.stdout.write(`synthesized ${stacks.length} stacks into ${outdir}/stacks/: ${stacks.join(', ')}\n`);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nNothing was written.\n`);
      process.exit(1);
    }
    throw e;
  }
}
