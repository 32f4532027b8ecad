import { runEntry } from '../tools/cli';
import { runLocal } from '../tools/local/command';

void runEntry('npm run local', runLocal);
