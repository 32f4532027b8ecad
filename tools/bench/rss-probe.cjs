// Preloaded into every node process of a benchmarked command (NODE_OPTIONS=--require):
// appends the process's peak resident set size (KB) and the CPU time it used (user +
// system, microseconds) to BENCH_RSS_FILE when it exits.
const { appendFileSync } = require('node:fs');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      appendFileSync(file, `${process.pid} ${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`);
    } catch {
      // The benchmark reports a missing figure rather than failing the command.
    }
  });
}
