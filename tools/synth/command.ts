import { defineCommand, ENVS_OPTION, EXIT } from '../cli';

/**
 * `npm run synth` (and the app `cdktf synth|plan|apply|diff` runs through cdktf.json):
 * writes every selected environment's stacks into the output folder.
 */
export const synthCommand = defineCommand({
  name: 'npm run synth',
  summary:
    'Synthesizes the selected environments into <outdir>/stacks/<env>-<concern>/cdk.tf.json. It writes into a temporary folder and swaps it in only on success, so bad input leaves the previous output untouched.',
  options: {
    env: ENVS_OPTION,
    outdir: { type: 'string', valueName: '<dir>', env: 'CDKTF_OUTDIR', default: 'cdktf.out', doc: 'output folder' },
  },
  exitCodes: { 1: 'bad input (nothing written) or a failed synthesis' },
  configErrorNote: 'Nothing was written.',
  async run(args) {
    const { synthesize } = await import('./synth');
    const stacks = synthesize({ selector: args.env, outdir: args.outdir });
    process.stdout.write(`synthesized ${stacks.length} stacks into ${args.outdir}/stacks/: ${stacks.join(', ')}\n`);
    return EXIT.ok;
  },
});
