/** Domain errors thrown by services; the tRPC layer maps them to error codes in one place. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export class TooManyRequestsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A write that must happen before any upstream call failed: nothing was sent to the model. */
export class PersistenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersistenceError';
  }
}

/** The server is not set up for this request (a setting is missing); the message says which. */
export class NotConfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotConfiguredError';
  }
}

/** The fields a refusal adds to the error's `data` (besides the code). */
export type RefusalData =
  | { reason: 'QUOTA_EXCEEDED'; quota: string; resetsAt: string }
  | { reason: 'RATE_LIMITED'; limit: string; retryAt: string };

/** A per-user quota ran out: TOO_MANY_REQUESTS with `data.reason: 'QUOTA_EXCEEDED'`. */
export class QuotaExceededError extends TooManyRequestsError {
  constructor(
    message: string,
    readonly quota: string,
    readonly resetsAt: Date,
  ) {
    super(message);
    this.name = 'QuotaExceededError';
  }

  get data(): RefusalData {
    return { reason: 'QUOTA_EXCEEDED', quota: this.quota, resetsAt: this.resetsAt.toISOString() };
  }
}

/** The user starts generations faster than a limit allows: `data.reason: 'RATE_LIMITED'`. */
export class RateLimitedError extends TooManyRequestsError {
  constructor(
    message: string,
    readonly limit: string,
    readonly retryAt: Date,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }

  get data(): RefusalData {
    return { reason: 'RATE_LIMITED', limit: this.limit, retryAt: this.retryAt.toISOString() };
  }
}
