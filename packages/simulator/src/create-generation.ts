import {
  type ChunkFactory,
  createChunkFactory,
  type GenerationIdentity,
} from './create-chunk-factory';
import { createRandom } from './create-random';
import { generatePlan } from './generate-plan';
import { generateProse } from './generate-prose';
import { hashText } from './hash-text';
import {
  type CompletionRequest,
  lastUserMessageText,
  messageText,
  wantsPlan,
} from './parse-completion-request';
import { splitIntoPieces } from './split-into-pieces';

/** Everything a response needs: the text, its token-sized pieces and the chunk builders. */
export interface Generation {
  chunks: ChunkFactory;
  content: string;
  pieces: readonly string[];
  promptTokens: number;
}

/** About four characters per token. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Content is seeded from the messages and response format only, so the same conversation
 * gives the same text whatever the fault suffix or `stream` flag.
 */
export function createGeneration(
  request: CompletionRequest,
  identity: GenerationIdentity,
): Generation {
  const seed = hashText(JSON.stringify([request.messages, request.body.response_format ?? null]));
  const random = createRandom(seed);
  const goals = lastUserMessageText(request.messages);
  const content = wantsPlan(request)
    ? JSON.stringify(generatePlan(goals, random))
    : generateProse(goals, random);
  return {
    chunks: createChunkFactory(identity),
    content,
    pieces: splitIntoPieces(content, random),
    promptTokens: estimateTokens(request.messages.map(messageText).join('\n')),
  };
}
