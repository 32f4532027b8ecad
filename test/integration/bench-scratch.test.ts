import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';
import { withScratch } from '../../tools/bench/scratch';

// npm run bench writes everything (RSS records, generated env files, synth output, the
// terraform log) in one scratch folder and leaves nothing behind: not when it ends, not
// when a measurement fails, not when it is interrupted or killed mid-measurement.

const gone = async (path: string) => {
  for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return !existsSync(path);
};

describe("bench's scratch folder", () => {
  it('is removed when the run ends', async () => {
    const root = await withScratch(async (s) => {
      writeFileSync(s.file('rss'), '1 2 3\n');
      writeFileSync(`${s.folder('env')}/dev.yaml`, 'name: dev\n');
      return s.root;
    });
    expect(existsSync(root)).toBe(false);
  });

  it('is removed when a measurement fails', async () => {
    let root = '';
    await expect(
      withScratch(async (s) => {
        root = s.root;
        throw new Error('synth exited 1');
      }),
    ).rejects.toThrow('synth exited 1');
    expect(existsSync(root)).toBe(false);
  });

  it.each(['SIGINT', 'SIGKILL'] as const)('is removed when bench is stopped by %s in the middle of a measurement', async (signal) => {
    // A bench stand-in: makes its scratch folder, says where, then blocks in spawnSync as a measurement does.
    const script = "require('../../tools/bench/scratch').withScratch(async (s) => { console.log(s.root); require('node:child_process').spawnSync('sleep', ['5']); });";
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: __dirname, stdio: ['ignore', 'pipe', 'inherit'] });
    const root = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(existsSync(root)).toBe(true);
    child.kill(signal);
    expect(await gone(root)).toBe(true);
  });

  it('lives in the system temporary folder, never in the project', async () => {
    const root = await withScratch(async (s) => s.root);
    expect(root.startsWith(fromRoot())).toBe(false);
  });
});
