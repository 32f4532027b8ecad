import { figure, met, showFigure, showTarget } from '../../tools/bench/figures';

// npm run bench states every speed-target figure as the median of its runs with min–max,
// and judges a target on the median alone: one slow run on a busy machine neither
// fails a target nor hides in an average.

describe('a bench figure', () => {
  it('is the median of its runs, with the smallest and the largest', () => {
    expect(figure([0.52, 0.41, 3.9, 0.44, 0.43])).toEqual({ median: 0.44, min: 0.41, max: 3.9, n: 5 });
  });

  it('takes the mean of the middle two of an even count', () => {
    expect(figure([4, 1, 3, 2]).median).toBe(2.5);
  });

  it('refuses to be made of no runs', () => {
    expect(() => figure([])).toThrow('at least one value');
  });

  it('prints as median (min, max, n)', () => {
    expect(showFigure(figure([0.4, 0.45, 0.5]), 3, 's')).toBe('0.450 s (min 0.400, max 0.500, n=3)');
    expect(showFigure(figure([1.2, 1.8, 1.5]), 2, 'x')).toBe('1.50x (min 1.20, max 1.80, n=3)');
  });
});

describe('a target line', () => {
  const target = (values: number[]) => ({ label: 'per-hostname cost', limit: 1, figure: figure(values), digits: 2, unit: 'ms' });

  it('is met when the median is at most the limit, whatever the slowest run', () => {
    expect(met(target([0.9, 1, 7]))).toBe(true);
    expect(showTarget(target([0.9, 1, 7]))).toMatch(/^ {2}per-hostname cost <= 1 ms +met {4}: median 1\.00 ms \(min 0\.90, max 7\.00, n=3\)$/);
  });

  it('is not met when the median is above the limit, whatever the fastest run', () => {
    expect(met(target([0.2, 1.1, 1.3]))).toBe(false);
    expect(showTarget({ ...target([0.2, 1.1, 1.3]), note: 'cold bundle' })).toMatch(/NOT met: median 1\.10 ms \(min 0\.20, max 1\.30, n=3\); cold bundle$/);
  });
});
