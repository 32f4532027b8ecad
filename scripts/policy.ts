import { runCommand } from '../tools/cli';
import { policyCommand } from '../tools/policy/command';

void runCommand(policyCommand);
