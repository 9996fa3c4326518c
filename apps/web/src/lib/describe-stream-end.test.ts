import { describe, expect, it } from 'vitest';
import {
  commonReasonSentences,
  describeStreamEnd,
  type StreamEnd,
  type StreamEndWording,
} from './describe-stream-end';

const wording: StreamEndWording = {
  reasons: { ...commonReasonSentences, cancelled: 'Stopped.', abandoned: 'Nobody watched.' },
  partial: 'Stopped part-way.',
  failed: 'Failed.',
  internal: 'Our fault.',
  invalidOutput: 'Not usable.',
  unknownModel: 'Unknown model.',
  rejected: 'Rejected.',
};

function upstreamHttp(status: number): StreamEnd {
  return {
    status: 'failed',
    reason: 'upstream-error',
    error: {
      code: 'UPSTREAM_HTTP',
      message: `The model provider answered HTTP ${status}: no`,
      retryable: false,
    },
  };
}

describe('describeStreamEnd', () => {
  it.each<[string, StreamEnd]>([
    ['while it is written', { status: 'generating' }],
    ['once it completed', { status: 'completed', reason: 'length' }],
    ['before its status is known', { status: null }],
  ])('has nothing to say %s', (_name, end) => {
    expect(describeStreamEnd(end, wording)).toBeNull();
  });

  it.each<[string, StreamEnd, string]>([
    ['a refused key', upstreamHttp(401), 'check the API key the server uses'],
    ['a forbidden request', upstreamHttp(403), 'check the API key the server uses'],
    ['an account out of credits', upstreamHttp(402), 'out of credits'],
    ['a slow provider', upstreamHttp(408), 'took too long to answer. Try again'],
    ['a rate limit', upstreamHttp(429), 'limiting requests right now'],
    ['a provider that is down', upstreamHttp(503), 'unavailable right now'],
    ['an unknown model', upstreamHttp(404), 'Unknown model.'],
    ['another rejection', upstreamHttp(422), 'Rejected.'],
    [
      'an error mid-stream',
      { status: 'failed', error: { code: 'UPSTREAM_STREAM', message: 'boom', retryable: true } },
      'reported an error partway through; what it wrote is kept.',
    ],
    [
      'no network to the provider',
      { status: 'failed', error: { code: 'NETWORK', message: 'ECONNRESET', retryable: true } },
      'could not reach the model provider',
    ],
    [
      'a provider that never answered',
      { status: 'partial', error: { code: 'TIMEOUT', message: 'slow', retryable: true } },
      'took too long to answer; what it wrote is kept.',
    ],
    [
      'an unusable answer',
      { status: 'failed', error: { code: 'INVALID_OUTPUT', message: 'bad', retryable: true } },
      'Not usable.',
    ],
    [
      'a server error',
      { status: 'failed', error: { code: 'INTERNAL', message: 'oops', retryable: false } },
      'Our fault.',
    ],
  ])('describes %s', (_name, end, expected) => {
    expect(describeStreamEnd(end, wording)).toContain(expected);
  });

  it('says why by the reason when there is no error, in its own words or the common ones', () => {
    expect(describeStreamEnd({ status: 'partial', reason: 'abandoned' }, wording)).toBe(
      'Nobody watched.',
    );
    expect(describeStreamEnd({ status: 'partial', reason: 'length' }, wording)).toBe(
      'The model reached its length limit before finishing; what it wrote is kept.',
    );
  });

  it.each<[StreamEnd, string]>([
    [{ status: 'cancelled' }, 'Stopped.'],
    [{ status: 'partial', reason: 'something-new' }, 'Stopped part-way.'],
    [{ status: 'failed' }, 'Failed.'],
  ])('falls back on the status for %j', (end, expected) => {
    expect(describeStreamEnd(end, wording)).toBe(expected);
  });
});
