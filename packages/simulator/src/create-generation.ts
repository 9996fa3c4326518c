import {
  type ChunkFactory,
  createChunkFactory,
  type GenerationIdentity,
} from './create-chunk-factory';
import { createRandom } from './create-random';
import { generateExperiment } from './generate-experiment';
import { generatePlan } from './generate-plan';
import { generateProse } from './generate-prose';
import { hashText } from './hash-text';
import {
  type ChatMessage,
  type CompletionRequest,
  lastUserMessageText,
  messageText,
  wantsExperiment,
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

/** A request to finish a cut-off reply: the conversation so far, then the partial reply. */
interface Continuation {
  baseMessages: readonly ChatMessage[];
  prefix: string;
}

/**
 * Recognises `[…, assistant: partial reply, user: "continue…"]`, the shape a client
 * sends to have a cut-off reply finished.
 */
export function findContinuation(messages: readonly ChatMessage[]): Continuation | undefined {
  const last = messages.at(-1);
  const reply = messages.at(-2);
  if (!last || !reply || last.role !== 'user' || reply.role !== 'assistant') return undefined;
  if (!/\bcontinue\b/i.test(messageText(last))) return undefined;
  const prefix = messageText(reply);
  return prefix === '' ? undefined : { baseMessages: messages.slice(0, -2), prefix };
}

/**
 * Content is seeded from the conversation only, so the same conversation gives the same
 * text whatever the fault suffix, `stream` flag or response format. A continuation sends
 * the rest of what the original conversation produced, when the partial reply is a prefix
 * of it (otherwise the whole text again, as a confused model might).
 */
export function createGeneration(
  request: CompletionRequest,
  identity: GenerationIdentity,
): Generation {
  const continuation = findContinuation(request.messages);
  const messages = continuation?.baseMessages ?? request.messages;
  const random = createRandom(hashText(JSON.stringify(messages)));
  const goals = lastUserMessageText(messages);
  // A reply that began as JSON is continued as JSON.
  const isPlan =
    wantsPlan({ ...request, messages: [...messages] }) ||
    continuation?.prefix.trimStart().startsWith('{') === true;
  const whole = isPlan
    ? JSON.stringify(generatePlan(goals, random))
    : wantsExperiment(messages)
      ? generateExperiment(goals, random)
      : generateProse(goals, random);
  const content =
    continuation && whole.startsWith(continuation.prefix)
      ? whole.slice(continuation.prefix.length)
      : whole;
  return {
    chunks: createChunkFactory(identity),
    content,
    pieces: splitIntoPieces(content, random),
    promptTokens: estimateTokens(request.messages.map(messageText).join('\n')),
  };
}
