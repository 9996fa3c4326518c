import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ProviderMessage } from '../providers/provider';

// Text that looks like a special token (`<|endoftext|>`) is counted as text, never refused.
const asPlainText = { disallowedSpecial: new Set<string>() };

/**
 * Tokens in a text by OpenAI's o200k_base encoding (gpt-4o and later). For Claude it is an
 * estimate: Anthropic publishes no tokenizer for its current models; o200k_base is within a
 * few percent on English prose, which is what a stopped stream's bill needs.
 */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text, asPlainText);
}

/** The prompt's tokens, for a stream stopped before the provider reported them. */
export function countPromptTokens(messages: readonly ProviderMessage[]): number {
  // A few tokens of framing per message, as the chat formats add.
  return messages.reduce((total, message) => total + 4 + countTextTokens(message.content), 3);
}
