import { describe, expect, it } from 'vitest';
import { splitOffsets } from './create-event-writer';

describe('splitOffsets', () => {
  it('cuts mid-line and just after the first byte of the first multibyte character', () => {
    const bytes = Buffer.from('data: {"content":"café"}\n\n');
    const multibyteStart = bytes.indexOf(0xc3);

    expect(splitOffsets(bytes)).toEqual([12, multibyteStart + 1]);
  });

  it('cuts plain ASCII events mid-line only', () => {
    expect(splitOffsets(Buffer.from(': OPENROUTER PROCESSING\n\n'))).toEqual([11]);
  });
});
