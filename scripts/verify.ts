import { runCommand } from '../tools/cli';
import { verifyCommand } from '../tools/verify/command';

void runCommand(verifyCommand);
