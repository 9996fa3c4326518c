import type { PlanStatus, StreamError } from '@sluice/shared';
import { isTRPCClientError } from '@trpc/client';
import { describeRequestError, isUnreachableError } from '../../lib/describe-request-error';

export const conflictMessage = 'A reply is already being written — stop it or wait.';

function errorCode(error: unknown): string | undefined {
  if (!isTRPCClientError(error)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const code = (data as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** One plain sentence for a failed chat request (send, stop, settings, sessions). */
export function describeChatRequestError(error: unknown): string {
  if (isUnreachableError(error)) return describeRequestError(error);
  switch (errorCode(error)) {
    case 'CONFLICT':
      return conflictMessage;
    case 'NOT_FOUND':
      return 'This chat no longer exists.';
    case 'TOO_MANY_REQUESTS':
      return 'The server is busy writing other replies. Try again in a moment.';
    case 'INTERNAL_SERVER_ERROR': {
      // The one internal error the server words for people: the message was not saved.
      const message = error instanceof Error ? error.message : '';
      return /nothing was sent to the model/i.test(message) ? message : describeRequestError(error);
    }
    default:
      return describeRequestError(error);
  }
}

const kept = 'what it wrote is kept.';

/** Why a reply stopped, by `end.reason` (see the README's "API beyond" section). */
const reasonSentences: Record<string, string> = {
  cancelled: 'You stopped this reply; what was written so far is kept.',
  abandoned: `Nobody was watching this reply for a while, so the server stopped writing it; ${kept}`,
  timeout: `The reply took too long, so the server stopped it; ${kept}`,
  'idle-timeout': `The model went quiet for too long, so the server stopped waiting; ${kept}`,
  length: `The model reached its length limit before finishing; ${kept}`,
  'no-finish-reason': `The model stopped without saying it had finished; ${kept}`,
  'server-restart': 'The server restarted while writing this reply; what it had saved is kept.',
};

/** The HTTP status in an UPSTREAM_HTTP message ("The model provider answered HTTP 503: …"). */
function httpStatusOf(message: string): number | undefined {
  const match = /\bHTTP (\d{3})\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function describeUpstreamHttp(status: number | undefined): string {
  if (status === 401 || status === 403) {
    return 'The model provider refused the request: check the API key the server uses.';
  }
  if (status === 402) return 'The model provider account is out of credits.';
  if (status === 404) {
    return 'The model provider does not know this model: check the model in the session settings.';
  }
  if (status === 408) return 'The model provider took too long to answer. Try again in a moment.';
  if (status === 429) {
    return 'The model provider is limiting requests right now. Wait a minute, then try again.';
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return 'The model provider rejected the request: check the model in the session settings.';
  }
  return 'The model provider is unavailable right now. Try again in a minute.';
}

function describeStreamError(error: StreamError): string {
  switch (error.code) {
    case 'UPSTREAM_HTTP':
      return describeUpstreamHttp(httpStatusOf(error.message));
    case 'UPSTREAM_STREAM':
      return `The model provider reported an error partway through; ${kept}`;
    case 'NETWORK':
      return 'The server could not reach the model provider. Check its network, then try again.';
    case 'TIMEOUT':
      return `The model provider took too long to answer; ${kept}`;
    case 'INVALID_OUTPUT':
      return `The model's answer could not be used; ${kept}`;
    case 'INTERNAL':
      return 'Something went wrong on the Sluice server while writing this reply.';
    default:
      return 'Something went wrong while writing this reply.';
  }
}

export interface ReplyOutcome {
  status: PlanStatus | null;
  reason?: string | null;
  error?: StreamError | null;
}

/**
 * One plain sentence for how a reply ended, or null when there is nothing to explain
 * (it is still being written, or it completed).
 */
export function describeReplyOutcome(outcome: ReplyOutcome): string | null {
  const { status } = outcome;
  if (status === null || status === 'generating' || status === 'completed') return null;
  if (outcome.error) return describeStreamError(outcome.error);
  const byReason = outcome.reason ? reasonSentences[outcome.reason] : undefined;
  if (byReason) return byReason;
  switch (status) {
    case 'cancelled':
      return reasonSentences.cancelled ?? null;
    case 'partial':
      return `The reply stopped before it was finished; ${kept}`;
    case 'failed':
      return 'Something went wrong while writing this reply.';
  }
}
