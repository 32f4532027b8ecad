import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildApp } from '../../stacks/app';

/**
 * Synthesizes the selected environments into a fresh temporary folder and swaps it
 * in only when everything succeeded, so a failed run leaves the previous
 * `cdktf.out/` exactly as it was.
 */
export function synthesize(options: { outdir?: string; selector?: string; envsDir?: string } = {}): string[] {
  const outdir = resolve(options.outdir ?? 'cdktf.out');
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
