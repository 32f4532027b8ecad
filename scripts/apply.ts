import { runCommand } from '../tools/cli';
import { applyCommand } from '../tools/plan/apply-command';

void runCommand(applyCommand);
