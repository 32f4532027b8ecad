import { runApp } from './tools/synth/synth';

// Entry point for `cdktf synth|plan|apply|diff` (through cdktf.json) and `npm run synth`.
// ENVS=dev,prod selects environments; all of envs/*.yaml otherwise.
runApp();
