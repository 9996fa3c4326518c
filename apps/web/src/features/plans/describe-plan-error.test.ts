import { describe, expect, it } from 'vitest';
import { describePlanError, type PlanErrorInput } from './describe-plan-error';

describe('describePlanError', () => {
  it.each<[string, PlanErrorInput, string | null]>([
    ['nothing while generating', { status: 'generating' }, null],
    ['nothing when completed', { status: 'completed' }, null],
    ['nothing before the status is known', { status: null }, null],
    [
      'a stream without a finish reason',
      { status: 'partial', reason: 'no-finish-reason' },
      'The model stopped without saying it had finished; what it wrote is kept.',
    ],
    [
      'a 503 from the provider',
      {
        status: 'failed',
        reason: 'upstream-error',
        error: {
          code: 'UPSTREAM_HTTP',
          message: 'The model provider answered HTTP 503: Service Unavailable',
          retryable: true,
        },
      },
      'The model provider is unavailable right now. Try again in a minute.',
    ],
    [
      'a 429 from the provider',
      {
        status: 'failed',
        error: { code: 'UPSTREAM_HTTP', message: 'answered HTTP 429: slow down', retryable: true },
      },
      'The model provider is limiting requests right now. Wait a minute, then try again.',
    ],
    [
      'a rejected key',
      {
        status: 'failed',
        error: { code: 'UPSTREAM_HTTP', message: 'answered HTTP 401: no key', retryable: false },
      },
      'The model provider refused the request: check the API key the server uses.',
    ],
    [
      'an unknown model',
      {
        status: 'failed',
        error: { code: 'UPSTREAM_HTTP', message: 'answered HTTP 404: no model', retryable: false },
      },
      'The model provider does not know this model: check the model id.',
    ],
    [
      'an error chunk mid-stream',
      {
        status: 'failed',
        reason: 'upstream-error',
        error: { code: 'UPSTREAM_STREAM', message: 'mid-stream: boom', retryable: true },
      },
      'The model provider reported an error partway through; what it wrote is kept.',
    ],
    [
      'an invalid document',
      {
        status: 'failed',
        reason: 'invalid-output',
        error: { code: 'INVALID_OUTPUT', message: 'not a plan', retryable: true },
      },
      "The model's answer is not a complete, valid plan; what it wrote is kept.",
    ],
    [
      'the length limit',
      { status: 'partial', reason: 'length' },
      'The model reached its length limit before finishing; what it wrote is kept.',
    ],
    [
      'a restart',
      { status: 'partial', reason: 'server-restart' },
      'The server restarted while writing this plan; what it had saved is kept.',
    ],
    [
      'a lost instance',
      { status: 'partial', reason: 'instance-lost' },
      'The server instance writing this plan stopped; another one kept what it had saved.',
    ],
    [
      'a stop',
      { status: 'cancelled', reason: 'cancelled' },
      'You stopped this plan; what was written so far is kept.',
    ],
    [
      'a partial without a reason',
      { status: 'partial' },
      'The plan stopped before it was finished; what it wrote is kept.',
    ],
  ])('describes %s', (_name, input, expected) => {
    expect(describePlanError(input)).toBe(expected);
  });

  it('has a sentence for every end reason the server sends', () => {
    for (const reason of [
      'cancelled',
      'abandoned',
      'timeout',
      'idle-timeout',
      'length',
      'no-finish-reason',
      'invalid-output',
      'server-restart',
    ]) {
      expect(describePlanError({ status: 'partial', reason })).toMatch(/\.$/);
    }
  });
});
