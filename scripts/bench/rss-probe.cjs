// Preloaded into every node process of a benchmarked command (NODE_OPTIONS=--require):
// appends the process's peak resident set size to BENCH_RSS_FILE when it exits.
const { appendFileSync } = require('node:fs');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      appendFileSync(file, `${process.pid} ${process.resourceUsage().maxRSS}\n`);
    } catch {
      // The benchmark reports a missing figure rather than failing the command.
    }
  });
}
