import { describe, expect, it } from 'vitest';
import {
  closeOpenFence,
  markdownBlocks,
  openFenceAtEnd,
  splitMarkdownBlocks,
} from './streaming-markdown';

describe('closeOpenFence', () => {
  it.each([
    ['no fence', 'Just text', 'Just text'],
    ['a closed fence', '```js\nx\n```\nafter', '```js\nx\n```\nafter'],
    ['an open backtick fence', 'Look:\n```ts\nconst a = 1;', 'Look:\n```ts\nconst a = 1;\n```'],
    ['an open fence ending in a newline', '```\ncode\n', '```\ncode\n```'],
    ['a longer fence', '````md\n```\ninner\n```', '````md\n```\ninner\n```\n````'],
    ['a tilde fence', '~~~\ncode', '~~~\ncode\n~~~'],
    ['a fence just opened', 'Text\n```py', 'Text\n```py\n```'],
    ['inline code, not a fence', 'Use ```a``` here', 'Use ```a``` here'],
    ['a fence in a list item', '1. Run:\n   ```sh\n   ls', '1. Run:\n   ```sh\n   ls\n```'],
  ])('handles %s', (_name, text, expected) => {
    expect(closeOpenFence(text)).toBe(expected);
  });

  it('does not take a closing fence with an info string as closing', () => {
    expect(openFenceAtEnd('```\na\n```js\nb')).toBe('```');
  });
});

describe('splitMarkdownBlocks', () => {
  it('cuts at blank lines', () => {
    expect(splitMarkdownBlocks('# Title\n\nA paragraph\nwrapped.\n\n\n- a\n- b')).toEqual([
      '# Title',
      'A paragraph\nwrapped.',
      '- a\n- b',
    ]);
  });

  it('keeps code fences whole, blank lines included', () => {
    expect(splitMarkdownBlocks('Code:\n\n```py\nx = 1\n\n\ny = 2\n```\n\nAfter')).toEqual([
      'Code:',
      '```py\nx = 1\n\n\ny = 2\n```',
      'After',
    ]);
  });

  it('keeps an open fence and its blank lines in the last block', () => {
    expect(splitMarkdownBlocks('Intro\n\n```\na\n\n')).toEqual(['Intro', '```\na\n\n']);
  });

  it("does not cut before an indented line (a list item's next paragraph)", () => {
    expect(splitMarkdownBlocks('1. First\n\n   More about it\n2. Second')).toEqual([
      '1. First\n\n   More about it\n2. Second',
    ]);
  });

  it('gives no blocks for blank text', () => {
    expect(splitMarkdownBlocks('')).toEqual([]);
    expect(splitMarkdownBlocks('\n\n  \n')).toEqual([]);
  });
});

describe('markdownBlocks', () => {
  it('renders a finished message whole', () => {
    expect(markdownBlocks('a\n\nb', false)).toEqual(['a\n\nb']);
    expect(markdownBlocks('  ', false)).toEqual([]);
  });

  it('cuts a streaming message and closes the fence of its last block', () => {
    expect(markdownBlocks('Intro\n\n```js\nlet a', true)).toEqual(['Intro', '```js\nlet a\n```']);
  });

  it('keeps finished blocks identical as the text grows', () => {
    const text = 'One\n\nTwo two\n\n```\ncode\n```\n\nThree three three';
    let previous: string[] = [];
    for (let end = 1; end <= text.length; end += 1) {
      const blocks = markdownBlocks(text.slice(0, end), true);
      // Every block but the last is final: the next frame has it unchanged.
      for (const [index, block] of previous.slice(0, -1).entries()) {
        expect(blocks[index]).toBe(block);
      }
      previous = blocks;
    }
  });
});
