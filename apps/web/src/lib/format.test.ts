import { describe, expect, it } from 'vitest';
import {
  formatCost,
  formatElapsed,
  formatMinutes,
  formatRelativeTime,
  formatTokens,
} from './format';

describe('format', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [65_000, '1 min 05 s'],
    [3_840_000, '1 h 04 min'],
    [-5, '0 s'],
  ])('formats %i ms elapsed as %s', (milliseconds, expected) => {
    expect(formatElapsed(milliseconds)).toBe(expected);
  });

  it.each([
    [45, '45 min'],
    [60, '1 h'],
    [90, '1 h 30 min'],
  ])('formats %i minutes as %s', (minutes, expected) => {
    expect(formatMinutes(minutes)).toBe(expected);
  });

  it('formats tokens and small costs', () => {
    expect(formatTokens(1_234)).toBe('1,234 tokens');
    expect(formatTokens(1)).toBe('1 token');
    expect(formatCost(0.000123)).toBe('$0.00012');
    expect(formatCost(1.5)).toBe('$1.50');
  });

  it('formats times relative to now', () => {
    const now = Date.parse('2026-05-10T12:00:00Z');
    expect(formatRelativeTime('2026-05-10T11:59:50Z', now)).toBe('just now');
    expect(formatRelativeTime('2026-05-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelativeTime('2026-05-09T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelativeTime('not a date', now)).toBe('');
  });
});
