import { relative } from 'node:path';
import { ConfigError } from '../../lib/errors';
import { defineCommand, ENVS_OPTION, EXIT } from '../cli';

/**
 * A signal during synthesis must not skip its cleanup. Synthesis is synchronous, so a
 * handler only runs once it has finished (and cleaned up); it then exits with the
 * conventional 128 + signal number. The returned promise keeps the event loop (where
 * Node delivers signals) polling briefly, so a signal that arrived meanwhile is handled
 * before the process ends (an immediate is not enough when the entry is an ES module).
 */
function deferSignals(): () => Promise<void> {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stderr.write(`synth: stopped by ${signal}\n`);
      process.exit(code);
    });
  }
  return () => new Promise((resolve) => setTimeout(resolve, 20));
}

/** Which setting chose the output folder, so a refusal names what the user actually set. */
export function outdirSource(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  if (argv.some((a) => a === '--outdir' || a.startsWith('--outdir='))) return '--outdir';
  if (env.CDKTF_OUTDIR) return 'CDKTF_OUTDIR';
  return 'outdir (default "cdktf.out")';
}

/**
 * `npm run synth` (and the app `cdktf synth|plan|apply|diff` runs through cdktf.json):
 * writes every selected environment's stacks into the output folder.
 */
export const synthCommand = defineCommand({
  name: 'npm run synth',
  summary:
    'Synthesizes the selected environments into <outdir>/stacks/<env>-<concern>/cdk.tf.json. It synthesizes in a private temporary folder, then replaces each stack file in place (terraform\'s .terraform/ and lock file beside it stay); it refuses an output folder it did not write (marker .edge-synth.json), the project root or a parent of it, and a selection matching no environment. Bad input leaves the previous output untouched.',
  options: {
    env: ENVS_OPTION,
    outdir: { type: 'string', valueName: '<dir>', env: 'CDKTF_OUTDIR', default: 'cdktf.out', doc: 'output folder' },
  },
  exitCodes: { 1: 'bad input or an output folder synth may not write (nothing written), or a failed synthesis' },
  configErrorNote: 'Nothing was written.',
  async run(args) {
    // The runner treats an empty variable as unset; an empty output folder is a mistake to name, not to guess.
    if (process.env.CDKTF_OUTDIR !== undefined && process.env.CDKTF_OUTDIR.trim() === '') {
      throw ConfigError.single('CDKTF_OUTDIR', '(output folder)', 'is set but empty; unset it for cdktf.out, or name a folder of its own such as "cdktf.out"');
    }
    const { synthesize } = await import('./synth');
    const settle = deferSignals();
    const result = synthesize({ selector: args.env, outdir: args.outdir, outdirSource: outdirSource(process.argv.slice(2), process.env) });
    const rel = relative(process.cwd(), result.outdir);
    const shown = rel === '' ? '.' : rel.startsWith('..') ? result.outdir : rel;
    process.stdout.write(`synthesized ${result.stacks.length} stacks into ${shown}/stacks/: ${result.stacks.join(', ')}\n`);
    if (result.removed.length > 0) process.stdout.write(`removed stacks no longer selected: ${result.removed.join(', ')}\n`);
    if (result.kept.length > 0) process.stdout.write(`no longer selected, synth files removed but the folder kept (it holds other files): ${result.kept.join(', ')}\n`);
    await settle();
    return EXIT.ok;
  },
});
