import type { PlanStatus, StreamError } from '@sluice/shared';

export interface PlanErrorInput {
  status: PlanStatus | null;
  reason?: string | null;
  error?: StreamError | null;
}

const kept = 'what it wrote is kept.';

/** Why a plan stopped, by `end.reason` (see the README's "API beyond" section). */
const reasonSentences: Record<string, string> = {
  cancelled: 'You stopped this plan; what was written so far is kept.',
  abandoned: `Nobody was watching this plan for a while, so the server stopped writing it; ${kept}`,
  timeout: `The plan took too long to write, so the server stopped it; ${kept}`,
  'idle-timeout': `The model went quiet for too long, so the server stopped waiting; ${kept}`,
  length: `The model reached its length limit before finishing; ${kept}`,
  'no-finish-reason': `The model stopped without saying it had finished; ${kept}`,
  'invalid-output': `The model's answer is not a complete, valid plan; ${kept}`,
  'server-restart': 'The server restarted while writing this plan; what it had saved is kept.',
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
  if (status === 404) return 'The model provider does not know this model: check the model id.';
  if (status === 408) return 'The model provider took too long to answer. Try again in a moment.';
  if (status === 429) {
    return 'The model provider is limiting requests right now. Wait a minute, then try again.';
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return 'The model provider rejected the request: check the model id and the preferences.';
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
      return `The model's answer is not a complete, valid plan; ${kept}`;
    case 'INTERNAL':
      return 'Something went wrong on the Sluice server while writing this plan.';
    default:
      return 'Something went wrong while writing this plan.';
  }
}

/**
 * One plain sentence for how a plan ended, or null when there is nothing to explain
 * (it is still being written, or it completed).
 */
export function describePlanError(input: PlanErrorInput): string | null {
  if (input.status === null || input.status === 'generating' || input.status === 'completed') {
    return null;
  }
  if (input.error) return describeStreamError(input.error);
  const byReason = input.reason ? reasonSentences[input.reason] : undefined;
  if (byReason) return byReason;
  switch (input.status) {
    case 'cancelled':
      return reasonSentences.cancelled ?? null;
    case 'partial':
      return `The plan stopped before it was finished; ${kept}`;
    case 'failed':
      return 'Something went wrong while writing this plan.';
  }
}
