import type { BetterAuthRateLimitStorage } from 'better-auth';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Better Auth's per-IP counters, kept by rate-limiter-flexible and owned by one server
 * instance (Better Auth's own memory store is shared by every instance in the process). One
 * limiter per rule; a Redis-backed limiter (RateLimiterRedis) replaces it for several instances.
 */
export function createRateLimitStorage(): BetterAuthRateLimitStorage {
  const limiters = new Map<string, RateLimiterMemory>();
  const limiterFor = (rule: { window: number; max: number }) => {
    const name = `${rule.window}:${rule.max}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterMemory({
        keyPrefix: `auth-ip-${name}`,
        points: rule.max,
        duration: rule.window,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };
  return {
    async consume(key, rule) {
      try {
        await limiterFor(rule).consume(key);
        return { allowed: true, retryAfter: null };
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        return { allowed: false, retryAfter: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      }
    },
  };
}
