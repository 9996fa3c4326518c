import { z } from 'zod';

/** `String.prototype.isWellFormed` (ES2024, Node 20); typed here while the lib target is ES2023. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

export const textMessages = {
  nul: 'Text may not contain the NUL character (U+0000)',
  loneSurrogate:
    'Text may not contain a lone surrogate (half of a UTF-16 pair, such as \\ud800): send valid Unicode',
} as const;

/** Why a string cannot be accepted as user text, or null when it can. */
export function findTextProblem(value: string): keyof typeof textMessages | null {
  if (value.includes('\u0000')) return 'nul';
  if (!(value as unknown as WellFormedCheck).isWellFormed()) return 'loneSurrogate';
  return null;
}

/**
 * The base of every string a client sends (goals, prompts, messages, models, ids, cursors).
 * JSON can carry a NUL (`\u0000`) or a lone surrogate (`\ud800`): the first would be stored
 * as is, the second silently replaced with U+FFFD when written out as UTF-8. Both are refused
 * with a field error instead. Chain the field's own rules after it: `userText().trim().min(1)`.
 */
export function userText() {
  return z.string().superRefine((value, context) => {
    const problem = findTextProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: textMessages[problem] });
  });
}
