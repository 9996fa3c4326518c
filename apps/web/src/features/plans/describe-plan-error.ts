import {
  commonReasonSentences,
  describeStreamEnd,
  kept,
  type StreamEnd,
  type StreamEndWording,
} from '../../lib/describe-stream-end';

export type PlanErrorInput = StreamEnd;

const planWording: StreamEndWording = {
  reasons: {
    ...commonReasonSentences,
    cancelled: 'You stopped this plan; what was written so far is kept.',
    abandoned: `Nobody was watching this plan for a while, so the server stopped writing it; ${kept}`,
    timeout: `The plan took too long to write, so the server stopped it; ${kept}`,
    'invalid-output': `The model's answer is not a complete, valid plan; ${kept}`,
    'server-restart': 'The server restarted while writing this plan; what it had saved is kept.',
    'instance-lost':
      'The server instance writing this plan stopped; another one kept what it had saved.',
  },
  partial: `The plan stopped before it was finished; ${kept}`,
  failed: 'Something went wrong while writing this plan.',
  internal: 'Something went wrong on the Sluice server while writing this plan.',
  invalidOutput: `The model's answer is not a complete, valid plan; ${kept}`,
  unknownModel: 'The model provider does not know this model: check the model id.',
  rejected: 'The model provider rejected the request: check the model id and the preferences.',
};

/**
 * One plain sentence for how a plan ended, or null when there is nothing to explain
 * (it is still being written, or it completed).
 */
export function describePlanError(input: PlanErrorInput): string | null {
  return describeStreamEnd(input, planWording);
}
