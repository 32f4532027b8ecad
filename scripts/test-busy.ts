import { runCommand } from '../tools/cli';
import { testBusyCommand } from '../tools/test-busy/command';

void runCommand(testBusyCommand);
