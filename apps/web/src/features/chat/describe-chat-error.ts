import {
  describeRequestError,
  errorCodeOf,
  isLimitRefusal,
  isUnreachableError,
  limitRefusalMessage,
} from '../../lib/describe-request-error';
import {
  commonReasonSentences,
  describeStreamEnd,
  kept,
  type StreamEnd,
  type StreamEndWording,
} from '../../lib/describe-stream-end';

export const conflictMessage = 'A reply is already being written — stop it or wait.';

/** One plain sentence for a failed chat request (send, stop, settings, sessions). */
export function describeChatRequestError(error: unknown): string {
  if (isUnreachableError(error)) return describeRequestError(error);
  switch (errorCodeOf(error)) {
    case 'CONFLICT':
      return conflictMessage;
    case 'NOT_FOUND':
      return 'This chat no longer exists.';
    case 'TOO_MANY_REQUESTS':
      if (isLimitRefusal(error)) return limitRefusalMessage(error);
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

const replyWording: StreamEndWording = {
  reasons: {
    ...commonReasonSentences,
    cancelled: 'You stopped this reply; what was written so far is kept.',
    abandoned: `Nobody was watching this reply for a while, so the server stopped writing it; ${kept}`,
    timeout: `The reply took too long, so the server stopped it; ${kept}`,
    'server-restart': 'The server restarted while writing this reply; what it had saved is kept.',
    'instance-lost':
      'The server instance writing this reply stopped; another one kept what it had saved.',
  },
  partial: `The reply stopped before it was finished; ${kept}`,
  failed: 'Something went wrong while writing this reply.',
  internal: 'Something went wrong on the Sluice server while writing this reply.',
  invalidOutput: `The model's answer could not be used; ${kept}`,
  unknownModel:
    'The model provider does not know this model: check the model in the session settings.',
  rejected: 'The model provider rejected the request: check the model in the session settings.',
};

export type ReplyOutcome = StreamEnd;

/**
 * One plain sentence for how a reply ended, or null when there is nothing to explain
 * (it is still being written, or it completed).
 */
export function describeReplyOutcome(outcome: ReplyOutcome): string | null {
  return describeStreamEnd(outcome, replyWording);
}
