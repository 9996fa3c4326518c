import { describe, expect, it } from 'vitest';
import { createRandom } from './create-random';
import { maximumPieceLength, splitIntoPieces } from './split-into-pieces';

const samples = [
  'Pebbles and Skipper.',
  '{"title":"Run a 10k – a four-week plan","weeks":[{"week":1}]}',
  'Consolidate & celebrate 🎉 at your favourite café, you’ll see.\n\n## Next\n- one\n- two  ',
  'averyveryverylongwordwithoutanyspaces',
  '   ',
];

describe('splitIntoPieces', () => {
  it.each(samples)('cuts %j into pieces of 1–8 characters that join back exactly', (text) => {
    const pieces = splitIntoPieces(text, createRandom(7));

    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) {
      expect(Array.from(piece).length).toBeGreaterThanOrEqual(1);
      expect(Array.from(piece).length).toBeLessThanOrEqual(maximumPieceLength);
    }
  });

  it('never cuts an emoji in half', () => {
    const text = '🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉';
    for (let seed = 0; seed < 20; seed += 1) {
      for (const piece of splitIntoPieces(text, createRandom(seed)))
        expect(piece).toMatch(/^(🎉)+$/u);
    }
  });

  it('gives the same pieces for the same seed', () => {
    const text = samples[2] ?? '';

    expect(splitIntoPieces(text, createRandom(1))).toEqual(splitIntoPieces(text, createRandom(1)));
  });
});
