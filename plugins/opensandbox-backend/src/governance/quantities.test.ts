import { parseQuantity } from './quantities';

describe('parseQuantity', () => {
  it.each([
    ['500m', 500_000_000n],
    ['0.5', 500_000_000n],
    ['2', 2_000_000_000n],
    ['1.5', 1_500_000_000n],
    ['2000m', 2_000_000_000n],
    ['512Mi', 512n * 1024n ** 2n * 1_000_000_000n],
    ['2Gi', 2n * 1024n ** 3n * 1_000_000_000n],
    ['1G', 1_000_000_000n * 1_000_000_000n],
    ['100k', 100_000n * 1_000_000_000n],
    ['1e3', 1000n * 1_000_000_000n],
    ['1E-3', 1_000_000n],
    ['1n', 1n],
    ['0.1n', 1n], // below one nano-unit: rounded up, like Kubernetes
    ['0', 0n],
  ])('%s', (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });

  it('compares equal quantities written differently', () => {
    expect(parseQuantity('500m')).toBe(parseQuantity('0.5'));
    expect(parseQuantity('1Gi')).toBe(parseQuantity('1024Mi'));
    expect(parseQuantity('2Gi')! > parseQuantity('2G')!).toBe(true);
    expect(parseQuantity('1')! > parseQuantity('999m')!).toBe(true);
  });

  it.each(['', 'abc', '1.2.3', '2 Gi', '-1', 'Gi', '1Gb', '1e1000', 5, null])(
    'refuses %p',
    text => {
      expect(parseQuantity(text as any)).toBeUndefined();
    },
  );
});
