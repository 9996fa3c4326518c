import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `gen-<unix seconds>-<20 letters and digits>`, like `gen-1754441342-hIkMo7SMi0ZecQw3oR4d`. */
export function createGenerationId(now = Date.now()): string {
  const suffix = Array.from(randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('');
  return `gen-${Math.floor(now / 1000)}-${suffix}`;
}
