/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5`, `512Mi`, `2Gi`, `1e3`, `100k`), parsed
 * exactly: the value is a BigInt count of nano-units (10^-9 of a CPU or a byte), so `0.5`,
 * `500m` and `500000000n` compare equal and no float rounding ever decides a cap. Below one
 * nano-unit a value is rounded up, as Kubernetes does.
 */

const QUANTITY =
  /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

const BINARY: Record<string, bigint> = {
  Ki: 1n,
  Mi: 2n,
  Gi: 3n,
  Ti: 4n,
  Pi: 5n,
  Ei: 6n,
};
const DECIMAL: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/**
 * The quantity in nano-units, or undefined when `text` is not a Kubernetes quantity (or is
 * negative, or has an exponent beyond ±100).
 */
export function parseQuantity(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, sign, number, binary, decimal, exponent] = match;
  const [whole, fraction = ''] = number.split('.');
  // number = digits × 10^-fraction.length
  let digits = BigInt(`${whole || '0'}${fraction}`);
  let power = -fraction.length + 9; // in nano-units
  if (binary) digits *= 1024n ** BINARY[binary];
  else if (decimal) power += DECIMAL[decimal];
  else if (exponent !== undefined) {
    const e = Number(exponent);
    if (Math.abs(e) > 100) return undefined;
    power += e;
  }
  let value: bigint;
  if (power >= 0) value = digits * 10n ** BigInt(power);
  else {
    const divisor = 10n ** BigInt(-power);
    value = digits / divisor + (digits % divisor === 0n ? 0n : 1n);
  }
  if (sign === '-' && value !== 0n) return undefined;
  return value;
}

/** True when `text` is a non-negative Kubernetes quantity. */
export function isQuantity(text: unknown): boolean {
  return parseQuantity(text) !== undefined;
}
