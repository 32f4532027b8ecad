import { runCommand } from '../tools/cli';
import { driftNotifyCommand } from '../tools/drift/notify-command';

void runCommand(driftNotifyCommand);
