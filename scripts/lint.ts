import { runCommand } from '../tools/cli';
import { lintCommand } from '../tools/lint/command';

void runCommand(lintCommand);
