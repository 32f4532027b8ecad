import { runCommand } from '../tools/cli';
import { benchCommand } from '../tools/bench/command';

void runCommand(benchCommand);
