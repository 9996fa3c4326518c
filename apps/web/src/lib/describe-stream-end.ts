import type { GenerationStatus, StreamError } from '@sluice/shared';

/** How a stream of model text stands: its status and, once it ended, why. */
export interface StreamEnd {
  status: GenerationStatus | null;
  reason?: string | null;
  error?: StreamError | null;
}

/** How most sentences about a stream that stopped early end. */
export const kept = 'what it wrote is kept.';

/** Why a stream stopped, by `end.reason`, for the reasons that read the same whatever it wrote. */
export const commonReasonSentences: Readonly<Record<string, string>> = {
  'idle-timeout': `The model went quiet for too long, so the server stopped waiting; ${kept}`,
  length: `The model reached its length limit before finishing; ${kept}`,
  'no-finish-reason': `The model stopped without saying it had finished; ${kept}`,
  budget: `Stopped before its cost went past the spending limit (per generation, or your monthly budget); ${kept}`,
};

/** The sentences that name what was being written (a plan, a reply). */
export interface StreamEndWording {
  /**
   * By `end.reason` (see the README's "API beyond" section); `cancelled` is also said for a
   * stop without a reason.
   */
  reasons: Readonly<Record<string, string>>;
  /** Stopped part-way, no reason given. */
  partial: string;
  /** Failed, no reason given; also an error of an unknown code. */
  failed: string;
  /** INTERNAL: the Sluice server's own error. */
  internal: string;
  /** INVALID_OUTPUT. */
  invalidOutput: string;
  /** UPSTREAM_HTTP 404: the provider does not know the model. */
  unknownModel: string;
  /** Any other 4xx from the provider (not 401, 402, 403, 408, 429). */
  rejected: string;
}

/** The HTTP status in an UPSTREAM_HTTP message ("The model provider answered HTTP 503: …"). */
function httpStatusOf(message: string): number | undefined {
  const match = /\bHTTP (\d{3})\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function describeUpstreamHttp(status: number | undefined, wording: StreamEndWording): string {
  if (status === 401 || status === 403) {
    return 'The model provider refused the request: check the API key the server uses.';
  }
  if (status === 402) return 'The model provider account is out of credits.';
  if (status === 404) return wording.unknownModel;
  if (status === 408) return 'The model provider took too long to answer. Try again in a moment.';
  if (status === 429) {
    return 'The model provider is limiting requests right now. Wait a minute, then try again.';
  }
  if (status !== undefined && status >= 400 && status < 500) return wording.rejected;
  return 'The model provider is unavailable right now. Try again in a minute.';
}

function describeStreamError(error: StreamError, wording: StreamEndWording): string {
  switch (error.code) {
    case 'UPSTREAM_HTTP':
      return describeUpstreamHttp(httpStatusOf(error.message), wording);
    case 'UPSTREAM_STREAM':
      return `The model provider reported an error partway through; ${kept}`;
    case 'NETWORK':
      return 'The server could not reach the model provider. Check its network, then try again.';
    case 'TIMEOUT':
      return `The model provider took too long to answer; ${kept}`;
    case 'INVALID_OUTPUT':
      return wording.invalidOutput;
    case 'INTERNAL':
      return wording.internal;
    default:
      return wording.failed;
  }
}

/**
 * One plain sentence for how a stream ended, or null when there is nothing to explain
 * (it is still being written, or it completed).
 */
export function describeStreamEnd(end: StreamEnd, wording: StreamEndWording): string | null {
  const { status } = end;
  if (status === null || status === 'generating' || status === 'completed') return null;
  if (end.error) return describeStreamError(end.error, wording);
  const byReason = end.reason ? wording.reasons[end.reason] : undefined;
  if (byReason) return byReason;
  switch (status) {
    case 'cancelled':
      return wording.reasons.cancelled ?? null;
    case 'partial':
      return wording.partial;
    case 'failed':
      return wording.failed;
  }
}
