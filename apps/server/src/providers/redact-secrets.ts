export const redactedMark = '[redacted]';

/** Token shapes that must never be repeated: `Bearer …` credentials and `sk-…` API keys. */
const tokenPatterns: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${redactedMark}`],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, redactedMark],
];

/** Short values would redact ordinary words; real keys are long. */
const minimumSecretLength = 8;

/** Replaces the given secrets and anything shaped like a token with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length >= minimumSecretLength) redacted = redacted.split(secret).join(redactedMark);
  }
  for (const [pattern, replacement] of tokenPatterns) {
    redacted = redacted.replace(pattern, replacement);
  }
  return redacted;
}
