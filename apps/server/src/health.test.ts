import { describe, expect, it } from 'vitest';
import { checkReadiness } from './health';

describe('checkReadiness', () => {
  it('is ready only while every probe answers, and names the first one that does not', async () => {
    const database = { name: 'database', check: async () => ({ ok: true as const }) };
    const redis = {
      name: 'redis',
      check: async () => ({ ok: false as const, reason: 'redis: connection refused' }),
    };
    const throwing = {
      name: 'queue',
      check: async (): Promise<never> => {
        throw new Error('timed out');
      },
    };
    expect(await checkReadiness([database])).toEqual({ ok: true });
    expect(await checkReadiness([database, redis])).toEqual({
      ok: false,
      reason: 'redis: connection refused',
    });
    expect(await checkReadiness([database, throwing, redis])).toEqual({
      ok: false,
      reason: 'queue: timed out',
    });
  });
});
