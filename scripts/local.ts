import { runLocal } from '../tools/local/command';

void runLocal(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
