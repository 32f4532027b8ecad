import { runCommand } from '../tools/cli';
import { reviewCommand } from '../tools/review/command';

void runCommand(reviewCommand);
