import { runCommand } from '../tools/cli';
import { validateCommand } from '../tools/validate/command';

void runCommand(validateCommand);
