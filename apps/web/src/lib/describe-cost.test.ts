import { describe, expect, it } from 'vitest';
import { describeCost } from './describe-cost';

describe('how the cost is said', () => {
  it.each([
    [
      { cost: 0.0031, costSource: 'estimated', generating: true, stopped: false },
      '≈ $0.0031 so far',
    ],
    [{ cost: 0.0042, costSource: 'billed', generating: false, stopped: false }, '$0.0042 billed'],
    [
      { cost: 0.0042, costSource: 'computed', generating: false, stopped: false },
      '$0.0042 computed',
    ],
    [
      { cost: 0.0012, costSource: 'billed', generating: false, stopped: true },
      'stopped — billed $0.0012',
    ],
    [
      { cost: 0.0012, costSource: 'estimated', generating: false, stopped: true },
      'stopped — ≈ $0.0012 estimated',
    ],
    [{ cost: null, costSource: null, generating: true, stopped: false }, null],
  ] as const)('%j → %s', (input, expected) => {
    expect(describeCost(input)).toBe(expected);
  });
});
