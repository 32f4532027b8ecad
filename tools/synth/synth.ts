import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fromRoot } from '../../lib/paths';
import { buildApp } from '../../stacks/app';
import { checkOutputFolder, writeOutput, type StackFiles, type WriteResult } from './output-folder';
import { anchorLocalStatePathsInPlace } from './state-paths';

export interface SynthesizeOptions {
  /** Output folder. @default `CDKTF_OUTDIR`, else `cdktf.out` (relative to the working directory) */
  readonly outdir?: string;
  /** How the user set `outdir`, for messages (`--outdir`, `CDKTF_OUTDIR`). @default `outdir`, or `CDKTF_OUTDIR` when read from it */
  readonly outdirSource?: string;
  /** Comma-separated environments (`ENVS`). @default all of them */
  readonly selector?: string;
  /** Folder of the environment files. @default `EDGE_ENVS_DIR` or `envs` */
  readonly envsDir?: string;
  /** Relative local-backend state paths resolve from here. @default the repository root (`terraform-state/` is git-ignored) */
  readonly stateRoot?: string;
}

export interface SynthesisResult extends WriteResult {
  /** The output folder, absolute. */
  readonly outdir: string;
  /** Stacks written, in construction order. */
  readonly stacks: readonly string[];
}

/**
 * Validates the selected environments, refuses an output folder synth could damage
 * (tools/synth/output-folder.ts), synthesizes into a private temporary folder and only
 * then updates the output file by file, so `.terraform/` and lock files beside each
 * stack survive and a failed run writes nothing. Local-backend state paths are
 * rewritten relative to each stack folder, so state stays in `terraform-state/`.
 */
export function synthesize(options: SynthesizeOptions = {}): SynthesisResult {
  const fromEnv = options.outdir === undefined && process.env.CDKTF_OUTDIR !== undefined;
  const requested = options.outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  const root = fromRoot();
  const stateRoot = resolve(options.stateRoot ?? root);
  const staging = mkdtempSync(join(tmpdir(), `edge-synth-${process.pid}-`));
  try {
    // Bad environments are reported first: they are what the user is editing.
    const { app } = buildApp({ outdir: staging, selector: options.selector, envsDir: options.envsDir });
    const source = options.outdirSource ?? (fromEnv ? 'CDKTF_OUTDIR' : 'outdir');
    const { outdir, previous } = checkOutputFolder(requested, root, source);
    app.synth();
    const names = readdirSync(join(staging, 'stacks')).sort();
    const stacks: StackFiles[] = names.map((name) => {
      const dir = join(staging, 'stacks', name);
      const files = new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
      const json = files.get('cdk.tf.json');
      if (json !== undefined) {
        const stackDir = join(outdir, 'stacks', name);
        const anchored = anchorLocalStatePathsInPlace(JSON.parse(json), (p) => relative(stackDir, resolve(stateRoot, p)).split(sep).join('/'));
        files.set('cdk.tf.json', `${JSON.stringify(anchored, null, 2)}\n`);
      }
      return { name, files };
    });
    const topLevel = new Map([['manifest.json', readFileSync(join(staging, 'manifest.json'), 'utf8')]]);
    const written = writeOutput(outdir, previous, stacks, topLevel, source);
    return { outdir, stacks: app.node.children.map((c) => c.node.id), ...written };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
