import { describe, expect, it } from 'vitest';
import { canContinue } from './plan-actions';

describe('canContinue', () => {
  it.each([
    ['partial', 'length', '{"title":"Half', true],
    ['partial', 'server-restart', '{"ti', true],
    ['partial', 'instance-lost', '{"ti', true],
    ['cancelled', 'cancelled', '{"title":"x"', true],
    ['failed', 'upstream-error', '{"weeks":[', true],
    ['failed', 'upstream-error', '   ', false],
    ['failed', 'invalid-output', '{"title":"done"}', false],
    ['completed', null, '{"title":"done"}', false],
    ['generating', null, '{"ti', false],
  ] as const)('%s / %s with %j → %s', (status, reason, content, expected) => {
    expect(canContinue(status, { content, reason })).toBe(expected);
  });

  it('waits for the plan details', () => {
    expect(canContinue('partial', undefined)).toBe(false);
  });
});
