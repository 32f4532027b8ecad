/**
 * A command's stderr without its heartbeat lines ("<step> still running after 10s",
 * tools/plan/progress.ts): on a busy machine a step may run past the interval, and a
 * test that wants "nothing but the report" must not fail for that.
 */
export function withoutHeartbeats(stderr: string): string {
  return stderr.replace(/^.* still running after \d+s\n/gm, '');
}
