import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import {
  describeRequestError,
  errorCodeOf,
  fieldErrorsOf,
  isLimitRefusal,
  isNotFoundError,
  isUnreachableError,
  unreachableMessage,
} from './describe-request-error';

function serverError(code: string, httpStatus: number, extra: Record<string, unknown> = {}) {
  return TRPCClientError.from({
    error: { message: `server says ${code}`, code: -32000, data: { code, httpStatus, ...extra } },
  });
}

describe('describeRequestError', () => {
  it('says the server cannot be reached when the request got no answer', () => {
    const error = TRPCClientError.from(new TypeError('Failed to fetch'));
    expect(isUnreachableError(error)).toBe(true);
    expect(describeRequestError(error)).toBe(unreachableMessage);
  });

  it('reads the field errors of a BAD_REQUEST', () => {
    const error = serverError('BAD_REQUEST', 400, {
      fieldErrors: { goals: ['Describe at least one goal'] },
    });
    expect(fieldErrorsOf(error)).toEqual({ goals: ['Describe at least one goal'] });
    expect(describeRequestError(error)).toBe(
      'The server did not accept this: goals: Describe at least one goal.',
    );
    expect(isUnreachableError(error)).toBe(false);
  });

  it.each([
    ['TOO_MANY_REQUESTS', 429, 'The server is busy writing other plans. Try again in a moment.'],
    ['NOT_FOUND', 404, 'No plan with this id.'],
    ['INTERNAL_SERVER_ERROR', 500, 'Something went wrong on the Sluice server. Try again.'],
  ])('describes %s in plain words', (code, status, expected) => {
    expect(describeRequestError(serverError(code, status))).toBe(expected);
  });

  it('says plainly which quota ran out and when it comes back', () => {
    const message = 'You have used all 20 plans for this month; more on 1 December.';
    const error = TRPCClientError.from({
      error: {
        message,
        code: -32000,
        data: {
          code: 'TOO_MANY_REQUESTS',
          httpStatus: 429,
          reason: 'QUOTA_EXCEEDED',
          quota: 'plans-per-month',
          resetsAt: '2026-12-01T00:00:00.000Z',
        },
      },
    });
    expect(isLimitRefusal(error)).toBe(true);
    expect(describeRequestError(error)).toBe(message);
  });

  it('passes on the start-rate refusal, which names its limit', () => {
    const message =
      'You started 30 generations in the last minute (RATE_LIMIT_GENERATIONS_PER_MINUTE); try again in 12 s.';
    const error = TRPCClientError.from({
      error: {
        message,
        code: -32000,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, reason: 'RATE_LIMITED' },
      },
    });
    expect(describeRequestError(error)).toBe(message);
  });

  it('recognises NOT_FOUND', () => {
    expect(isNotFoundError(serverError('NOT_FOUND', 404))).toBe(true);
    expect(isNotFoundError(new Error('x'))).toBe(false);
  });

  it('reads the code of an answer, and none without one', () => {
    expect(errorCodeOf(serverError('CONFLICT', 409))).toBe('CONFLICT');
    expect(errorCodeOf(TRPCClientError.from(new TypeError('Failed to fetch')))).toBeUndefined();
    expect(errorCodeOf(new Error('x'))).toBeUndefined();
  });
});
