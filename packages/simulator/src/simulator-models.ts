import { completionPricePerToken, promptPricePerToken } from './create-usage';
import { simulatorModel } from './parse-completion-request';

const contextLength = 131072;

function describeModel(id: string, name: string, description: string) {
  return {
    id,
    canonical_slug: id,
    name,
    created: 1767225600,
    description,
    context_length: contextLength,
    architecture: {
      modality: 'text->text',
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'Other',
      instruct_type: null,
    },
    pricing: {
      prompt: String(promptPricePerToken),
      completion: String(completionPricePerToken),
      request: '0',
    },
    top_provider: {
      context_length: contextLength,
      max_completion_tokens: 16384,
      is_moderated: false,
    },
    per_request_limits: null,
    supported_parameters: [
      'max_tokens',
      'response_format',
      'stream',
      'structured_outputs',
      'temperature',
    ],
  };
}

/** The body of `GET /models`, in OpenRouter's shape. */
export const simulatorModels = {
  data: [
    describeModel(
      simulatorModel,
      'Sluice: Simulator',
      'Simulated model: plausible plans and replies, streamed like OpenRouter. Add @<fault> to the id to inject a fault.',
    ),
    describeModel(
      `${simulatorModel}@slow`,
      'Sluice: Simulator (slow)',
      'The simulated model at a tenth of its pace.',
    ),
  ],
};
