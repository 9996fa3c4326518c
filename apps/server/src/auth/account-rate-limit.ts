import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface AccountRateLimitOptions {
  /** Sign-in and sign-up attempts allowed per email address per window. */
  points: number;
  windowSeconds: number;
}

/**
 * Attempts per account (the normalised email), whatever the IP: what stops a password guesser
 * that spreads over many addresses. In memory for one instance; a Redis-backed limiter
 * (RateLimiterRedis, same interface) replaces it for several.
 */
export function createAccountRateLimit(options: AccountRateLimitOptions) {
  const limiter = new RateLimiterMemory({
    keyPrefix: 'auth-account',
    points: options.points,
    duration: options.windowSeconds,
  });
  return {
    /** Counts one attempt; null when allowed, else the seconds until the next one is. */
    async consume(email: string): Promise<number | null> {
      try {
        await limiter.consume(normaliseEmail(email));
        return null;
      } catch (error) {
        if (error instanceof RateLimiterRes)
          return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw error;
      }
    },
  };
}

export type AccountRateLimit = ReturnType<typeof createAccountRateLimit>;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
