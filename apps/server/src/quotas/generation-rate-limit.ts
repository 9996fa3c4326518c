import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors';

export interface GenerationRateLimit {
  /** Counts one start for the user; throws RateLimitedError when over the limit. */
  consume(userId: string): Promise<void>;
}

/**
 * RATE_LIMIT_GENERATIONS_PER_MINUTE: generations (plans, continuations, chat replies) one
 * user may start per minute; 0 turns it off. In memory for one instance; RateLimiterRedis
 * (same interface) replaces it for several.
 */
export function createGenerationRateLimit(options: {
  perMinute: number;
  now?: () => Date;
}): GenerationRateLimit {
  if (options.perMinute <= 0) return { consume: async () => {} };
  const now = options.now ?? (() => new Date());
  const limiter = new RateLimiterMemory({
    keyPrefix: 'generation-start',
    points: options.perMinute,
    duration: 60,
  });
  return {
    async consume(userId) {
      try {
        await limiter.consume(userId);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new RateLimitedError(
          `You started ${options.perMinute} generations in the last minute (RATE_LIMIT_GENERATIONS_PER_MINUTE); try again in ${seconds} s.`,
          'RATE_LIMIT_GENERATIONS_PER_MINUTE',
          new Date(now().getTime() + seconds * 1000),
        );
      }
    },
  };
}
