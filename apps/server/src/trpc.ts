import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context';
import {
  ConflictError,
  InvalidInputError,
  NotConfiguredError,
  NotFoundError,
  PersistenceError,
  QuotaExceededError,
  RateLimitedError,
  TooManyRequestsError,
} from './errors';

/** Field errors keyed by dotted path (`preferences.hoursPerWeek`), for forms to show. */
export type FieldErrors = Record<string, string[]>;

function fieldErrorsOf(cause: unknown): FieldErrors | null {
  if (cause instanceof ZodError) {
    const fieldErrors: FieldErrors = {};
    for (const issue of cause.issues) {
      const key = issue.path.length > 0 ? issue.path.join('.') : '_';
      fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
    }
    return fieldErrors;
  }
  if (cause instanceof InvalidInputError) return { [cause.field]: [cause.message] };
  return null;
}

function describeFieldErrors(fieldErrors: FieldErrors): string {
  const parts = Object.entries(fieldErrors).map(([field, messages]) =>
    field === '_' ? messages.join('; ') : `${field}: ${messages.join('; ')}`,
  );
  return `Invalid input: ${parts.join('. ')}`;
}

export const sseSettings = {
  /** Comments that keep proxies and the client's inactivity timer from closing the stream. */
  pingIntervalMs: 5_000,
  /** The client reconnects (with its last event id) when nothing arrived for this long. */
  reconnectAfterInactivityMs: 15_000,
} as const;

const t = initTRPC.context<Context>().create({
  sse: {
    ping: { enabled: true, intervalMs: sseSettings.pingIntervalMs },
    client: { reconnectAfterInactivityMs: sseSettings.reconnectAfterInactivityMs },
  },
  errorFormatter({ shape, error }) {
    const fieldErrors = fieldErrorsOf(error.cause);
    // Quota and rate refusals say which limit and when it frees up (`reason`, `quota`, …).
    const refusal =
      error.cause instanceof QuotaExceededError || error.cause instanceof RateLimitedError
        ? error.cause.data
        : {};
    // Never a stack trace (absolute paths, code layout) to a client, whatever NODE_ENV says;
    // the logs keep the error itself.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      // A readable message instead of zod's JSON dump; the details stay in fieldErrors.
      message:
        error.cause instanceof ZodError && fieldErrors
          ? describeFieldErrors(fieldErrors)
          : shape.message,
      data: { ...data, fieldErrors, ...refusal },
    };
  },
});

/** The tRPC error of a service's domain error (undefined for anything else). */
export function domainErrorOf(cause: unknown): TRPCError | undefined {
  if (cause instanceof NotFoundError) {
    return new TRPCError({ code: 'NOT_FOUND', message: cause.message, cause });
  } else if (cause instanceof InvalidInputError) {
    return new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause });
  } else if (cause instanceof ConflictError) {
    return new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
  } else if (cause instanceof PersistenceError) {
    return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: cause.message, cause });
  } else if (cause instanceof TooManyRequestsError) {
    return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
  } else if (cause instanceof NotConfiguredError) {
    return new TRPCError({ code: 'PRECONDITION_FAILED', message: cause.message, cause });
  }
  return undefined;
}

/** Maps the services' domain errors to tRPC codes, in one place. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  result.error = domainErrorOf(result.error.cause) ?? result.error;
  return result;
});

export const router = t.router;
/** Open to anyone: only `system.info`. */
export const publicProcedure = t.procedure.use(domainErrors);

/**
 * Signed in (session cookie or API key): `ctx.caller` is the user. Services take
 * `ctx.caller.userId` as an argument and filter every row by it.
 */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.caller) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'Sign in, or send an API key as "Authorization: Bearer <key>".',
    });
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

/** Signed in as an admin. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an admin may do this.' });
  }
  return next();
});
