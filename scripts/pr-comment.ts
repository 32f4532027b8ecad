import { runCommand } from '../tools/cli';
import { prCommentCommand } from '../tools/pr/command';

void runCommand(prCommentCommand);
