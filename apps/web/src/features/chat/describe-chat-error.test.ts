import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { unreachableMessage } from '../../lib/describe-request-error';
import {
  conflictMessage,
  describeChatRequestError,
  describeReplyOutcome,
} from './describe-chat-error';

function serverError(code: string, httpStatus: number, message = `server says ${code}`) {
  return TRPCClientError.from({
    error: { message, code: -32000, data: { code, httpStatus } },
  });
}

describe('describeChatRequestError', () => {
  it('says a reply is already being written on CONFLICT', () => {
    expect(describeChatRequestError(serverError('CONFLICT', 409))).toBe(conflictMessage);
    expect(conflictMessage).toBe('A reply is already being written — stop it or wait.');
  });

  it.each([
    ['NOT_FOUND', 404, 'This chat no longer exists.'],
    ['TOO_MANY_REQUESTS', 429, 'The server is busy writing other replies. Try again in a moment.'],
    ['INTERNAL_SERVER_ERROR', 500, 'Something went wrong on the Sluice server. Try again.'],
  ])('describes %s in plain words', (code, status, expected) => {
    expect(describeChatRequestError(serverError(code, status))).toBe(expected);
  });

  it('says plainly when the daily replies ran out, and when they come back', () => {
    const message = 'You have used all 50 chat replies for today; more at 00:00 UTC (3 December).';
    const error = TRPCClientError.from({
      error: {
        message,
        code: -32000,
        data: {
          code: 'TOO_MANY_REQUESTS',
          httpStatus: 429,
          reason: 'QUOTA_EXCEEDED',
          quota: 'replies-per-day',
          resetsAt: '2026-12-03T00:00:00.000Z',
        },
      },
    });
    expect(describeChatRequestError(error)).toBe(message);
  });

  it("passes on the server's words when the message could not be saved", () => {
    const message = 'Could not save your message, so nothing was sent to the model. Try again.';
    expect(describeChatRequestError(serverError('INTERNAL_SERVER_ERROR', 500, message))).toBe(
      message,
    );
  });

  it('says the server cannot be reached when the request got no answer', () => {
    expect(describeChatRequestError(TRPCClientError.from(new TypeError('Failed to fetch')))).toBe(
      unreachableMessage,
    );
  });
});

describe('describeReplyOutcome', () => {
  it('has nothing to say about a reply being written or completed', () => {
    expect(describeReplyOutcome({ status: 'generating' })).toBeNull();
    expect(describeReplyOutcome({ status: 'completed' })).toBeNull();
    expect(describeReplyOutcome({ status: null })).toBeNull();
  });

  it.each([
    [
      {
        status: 'failed' as const,
        error: {
          code: 'UPSTREAM_HTTP' as const,
          message: 'The model provider answered HTTP 503',
          retryable: true,
        },
      },
      'The model provider is unavailable right now. Try again in a minute.',
    ],
    [
      {
        status: 'failed' as const,
        error: { code: 'UPSTREAM_HTTP' as const, message: 'HTTP 429: slow down', retryable: true },
      },
      'The model provider is limiting requests right now. Wait a minute, then try again.',
    ],
    [
      {
        status: 'failed' as const,
        error: { code: 'UPSTREAM_STREAM' as const, message: 'boom', retryable: false },
      },
      'The model provider reported an error partway through; what it wrote is kept.',
    ],
    [
      { status: 'partial' as const, reason: 'length' },
      'The model reached its length limit before finishing; what it wrote is kept.',
    ],
    [
      { status: 'partial' as const, reason: 'instance-lost' },
      'The server instance writing this reply stopped; another one kept what it had saved.',
    ],
    [
      { status: 'partial' as const },
      'The reply stopped before it was finished; what it wrote is kept.',
    ],
    [{ status: 'cancelled' as const }, 'You stopped this reply; what was written so far is kept.'],
  ])('describes %j', (outcome, expected) => {
    expect(describeReplyOutcome(outcome)).toBe(expected);
  });
});
