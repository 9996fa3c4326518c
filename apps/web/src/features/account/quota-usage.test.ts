import { describe, expect, it } from 'vitest';
import { describeQuotaUse } from './quota-usage';

describe('describeQuotaUse', () => {
  it('counts plans against their limit and says when they reset', () => {
    expect(
      describeQuotaUse({
        name: 'plans-per-month',
        limit: 20,
        used: 3,
        resetsAt: '2026-12-01T00:00:00.000Z',
      }),
    ).toEqual({
      label: 'Plans this month',
      usage: '3 of 20 used',
      resets: 'Resets on 1 December',
      exhausted: false,
    });
  });

  it('says a quota is exhausted once every unit is used', () => {
    const described = describeQuotaUse({
      name: 'replies-per-day',
      limit: 50,
      used: 50,
      resetsAt: '2026-11-30T00:00:00.000Z',
    });
    expect(described.exhausted).toBe(true);
    expect(described.usage).toBe('50 of 50 used');
    expect(described.label).toBe('Chat replies today');
  });

  it('shows spend as money and an unlimited quota as such', () => {
    const spend = describeQuotaUse({
      name: 'usd-per-month',
      limit: null,
      used: 0.42,
      resetsAt: '2026-12-01T00:00:00.000Z',
    });
    expect(spend.usage).toMatch(/^\$0\.42\d* spent \(no limit\)$/);
    expect(spend.exhausted).toBe(false);
  });
});
