import type { Random } from './create-random';

export const maximumPieceLength = 8;

/** A word with its leading whitespace, or trailing whitespace: together they cover every character. */
const wordPattern = /\s*\S+|\s+/gu;

/**
 * Cuts text into token-sized pieces of 1–8 characters (code points, so an emoji is never
 * cut in half), mostly along word boundaries like a real tokenizer: " and", "Peb" + "bles".
 * Joining the pieces gives back `text` exactly.
 */
export function splitIntoPieces(text: string, random: Random): string[] {
  const pieces: string[] = [];
  for (const word of text.match(wordPattern) ?? []) {
    const characters = Array.from(word);
    let start = 0;
    while (start < characters.length) {
      const remaining = characters.length - start;
      const keepWhole = remaining <= maximumPieceLength && random.next() < 0.75;
      const length = keepWhole
        ? remaining
        : random.integer(1, Math.min(maximumPieceLength, remaining));
      pieces.push(characters.slice(start, start + length).join(''));
      start += length;
    }
  }
  return pieces;
}
