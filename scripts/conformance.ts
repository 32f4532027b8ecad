import { runCommand } from '../tools/cli';
import { conformanceCommand } from '../tools/conformance/command';

void runCommand(conformanceCommand);
