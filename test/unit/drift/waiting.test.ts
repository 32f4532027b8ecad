import { missingInput, waitingOn } from '../../../tools/plan/plan-runner';
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../../lib/paths';
import { withoutHeartbeats } from '../../support/heartbeat';
import { HEARTBEAT_MS, progress, withHeartbeat, type HeartbeatTimer } from '../../../tools/plan/progress';
import { stackRunOptionsFrom } from '../../../tools/plan/run-options';
import type { StackPlanResult } from '../../../tools/plan/plan-report';

/** A real interval timer of `everyMs` that records which intervals are still running. */
function trackedTimer(everyMs: number): { live: Set<unknown>; timer: HeartbeatTimer } {
  const live = new Set<unknown>();
  const timer: HeartbeatTimer = {
    everyMs,
    setInterval: (tick, ms) => {
      const h = setInterval(tick, ms);
      live.add(h);
      return h;
    },
    clearInterval: (h) => {
      clearInterval(h as NodeJS.Timeout);
      live.delete(h);
    },
  };
  return { live, timer };
}


/**
 * A new environment cannot be planned past its first stack: the others read state that
 * does not exist yet. The runner says what each one waits for instead of failing.
 * (test/integration/local-command.test.ts shows the same against real Terraform and moto.)
 */
describe('what a stack waits for', () => {
  // As Terraform 1.11 prints them (trimmed).
  const REMOTE_STATE = [
    'Error: Unable to find remote state',
    '',
    '  with data.terraform_remote_state.cross-stack-reference-input-dev-pki,',
    '  on cdk.tf.json line 31, in data "terraform_remote_state" "cross-stack-reference-input-dev-pki":',
    '  31:       }',
    '',
    'No stack state was found for the given workspace in the given backend.',
  ].join('\n');
  const SSM = [
    'Error: reading SSM Parameter (/edge/dev/keyless-certificate): operation error SSM: GetParameter, https response error StatusCode: 400, RequestID: 3f1c, ParameterNotFound: ',
    '',
    '  with data.aws_ssm_parameter.EdgeCertificateSource_Parameter_1A2B3C4D,',
    '  on cdk.tf.json line 120, in data "aws_ssm_parameter" "EdgeCertificateSource_Parameter_1A2B3C4D":',
  ].join('\n');

  it('names the upstream stack whose state is missing', () => {
    expect(missingInput(REMOTE_STATE)).toBe('waiting for dev-pki: not applied yet');
  });

  it('names the SSM parameter that does not exist', () => {
    expect(missingInput(SSM)).toBe('waiting for SSM parameter /edge/dev/keyless-certificate: not created yet');
  });

  it('leaves every other failure an error, including other SSM and remote-state trouble', () => {
    expect(missingInput('Error: reading SSM Parameter (/x): operation error SSM: GetParameter, AccessDeniedException: not authorized\n  with data.aws_ssm_parameter.P,')).toBeUndefined();
    expect(missingInput('Error: error loading state: AccessDenied: Access Denied\n  with data.terraform_remote_state.cross-stack-reference-input-dev-pki,')).toBeUndefined();
    expect(missingInput('Error: Invalid reference')).toBeUndefined();
    // A ParameterNotFound of another data source (not the certificate's) is not an SSM wait either.
    expect(missingInput('Error: ParameterNotFound\n  with aws_instance.Host,')).toBeUndefined();
  });

  const plan = (stack: string, over: Partial<StackPlanResult> = {}): StackPlanResult => ({ stack, exitCode: 0, plan: { resource_changes: [] }, applied: true, ...over });

  it('waits for an upstream stack that was never applied, was not planned, or changes its outputs', () => {
    expect(waitingOn(new Map([['dev-pki', plan('dev-pki')]]))).toBeUndefined();
    expect(waitingOn(new Map([['dev-pki', plan('dev-pki', { applied: false, exitCode: 2 })]]))).toBe('waiting for dev-pki: not applied yet');
    expect(waitingOn(new Map([['dev-pki', { stack: 'dev-pki', exitCode: 0, waitingFor: 'waiting for x: not applied yet' }]]))).toBe('waiting for dev-pki: not applied yet');
    expect(waitingOn(new Map([['dev-pki', { stack: 'dev-pki', exitCode: 1, error: 'boom' }]]))).toBe('waiting for dev-pki: it could not be planned');
    const rotating = plan('dev-pki', { exitCode: 2, plan: { resource_changes: [], output_changes: { ca_pem: { actions: ['update'] }, other: { actions: ['no-op'] } } } });
    expect(waitingOn(new Map([['dev-pki', rotating]]))).toBe('waiting for dev-pki: its outputs change when it is applied');
    // Unchanged outputs are no reason to wait.
    expect(waitingOn(new Map([['dev-pki', plan('dev-pki', { plan: { output_changes: { ca_pem: { actions: ['no-op'] } } } })]]))).toBeUndefined();
  });
});

describe('progress lines', () => {
  it('one line as a step starts and one as it ends, with the elapsed time and the outcome', async () => {
    const lines: string[] = [];
    let t = 1000;
    const step = progress((l) => lines.push(l), () => t);
    const r = await step('dev-origin', 'plan', async () => {
      t += 41_234;
      return 2;
    }, (code) => (code === 2 ? 'changes' : 'no changes'));
    expect(r).toBe(2);
    expect(lines).toEqual(['dev-origin: plan started', 'dev-origin: plan finished in 41.2s: changes']);
  });

  it('says when a step threw, and passes the error on', async () => {
    const lines: string[] = [];
    const step = progress((l) => lines.push(l), () => 0);
    await expect(step('dev-edge', 'apply', async () => { throw new Error('spawn failed'); }, () => '')).rejects.toThrow('spawn failed');
    expect(lines).toEqual(['dev-edge: apply started', 'dev-edge: apply failed after 0.0s']);
  });
  it('a step longer than 10 s says it is still running every 10 s, and stops saying it once it ends (fake clock)', async () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      const step = progress((l) => lines.push(l), () => Date.now());
      let finish: (code: number) => void = () => undefined;
      const running = step('dev-origin', 'plan', () => new Promise<number>((resolve) => (finish = resolve)), () => 'changes');
      await jest.advanceTimersByTimeAsync(9_999);
      expect(lines).toEqual(['dev-origin: plan started']);
      await jest.advanceTimersByTimeAsync(1);
      expect(lines).toEqual(['dev-origin: plan started', 'dev-origin: plan still running after 10s']);
      await jest.advanceTimersByTimeAsync(15_000);
      expect(lines.slice(1)).toEqual(['dev-origin: plan still running after 10s', 'dev-origin: plan still running after 20s']);
      finish(2);
      await running;
      await jest.advanceTimersByTimeAsync(60_000);
      expect(lines.slice(3)).toEqual(['dev-origin: plan finished in 25.0s: changes']);
      expect(HEARTBEAT_MS).toBe(10_000);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a step shorter than the interval prints no heartbeat; a failing step stops its heartbeat too (injected short interval)', async () => {
    const lines: string[] = [];
    const { live, timer } = trackedTimer(20);
    const step = progress((l) => lines.push(l), () => 0, timer);
    await step('dev-edge', 'plan', async () => 0, () => 'no changes');
    expect(lines).toEqual(['dev-edge: plan started', 'dev-edge: plan finished in 0.0s: no changes']);
    lines.length = 0;
    const slow = step('dev-edge', 'apply', () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('boom')), 70)), () => '');
    await expect(slow).rejects.toThrow('boom');
    expect(lines[0]).toBe('dev-edge: apply started');
    expect(lines).toContain('dev-edge: apply still running after 0s');
    expect(lines[lines.length - 1]).toBe('dev-edge: apply failed after 0.0s');
    expect(live.size).toBe(0);
  });

  it('steps without start and end lines (the live checks, the bypass sweep) say only that they are still running, and only when they run past the interval', async () => {
    const lines: string[] = [];
    const { live, timer } = trackedTimer(20);
    expect(await withHeartbeat((l) => lines.push(l), 'local: live checks', async () => 7, timer)).toBe(7);
    expect(lines).toEqual([]);
    await withHeartbeat((l) => lines.push(l), 'local: bypass check', () => new Promise((r) => setTimeout(r, 70)), timer);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(new Set(lines)).toEqual(new Set(['local: bypass check still running after 0s']));
    // The tests that want an empty stderr strip exactly these lines, and nothing else.
    expect(withoutHeartbeats(`${lines.join('\n')}\nreal problem\n`)).toBe('real problem\n');
    expect(live.size).toBe(0);
    // Where the commands use it (each step over 10 s has a heartbeat: plan, apply per stack; these besides).
    const uses = (file: string) => readFileSync(fromRoot(file), 'utf8').match(/withHeartbeat\(/g)?.length ?? 0;
    expect({ drift: uses('tools/plan/command.ts'), bypass: uses('tools/bypass/command.ts'), local: uses('tools/local/local.ts') }).toEqual({ drift: 2, bypass: 1, local: 2 });
  });

  it('the plan, drift and apply commands print progress, heartbeats included, to stderr', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (written.push(String(chunk)), true));
    try {
      stackRunOptionsFrom({ env: 'dev', stack: [] }).onProgress('dev-origin: plan still running after 10s');
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(['dev-origin: plan still running after 10s\n']);
  });
});
