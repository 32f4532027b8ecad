import { runCommand } from '../tools/cli';
import { trivyignoreCommand } from '../tools/policy/trivyignore-command';

void runCommand(trivyignoreCommand);
