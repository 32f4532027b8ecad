import { runCommand } from './tools/cli';
import { synthCommand } from './tools/synth/command';

// Entry point for `npm run synth` and for `cdktf synth|plan|apply|diff` (through
// cdktf.json; both run it from a cached bundle, scripts/app.mjs). main sits above every
// layer, so importing the synth command from tools/ is the allowed direction
// (docs/architecture.md). ENVS=dev,prod or --env dev,prod selects environments.
void runCommand(synthCommand);
