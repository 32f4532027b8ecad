import { runCommand } from '../tools/cli';
import { planCommand } from '../tools/plan/command';

void runCommand(planCommand('plan'));
