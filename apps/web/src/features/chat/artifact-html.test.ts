import { describe, expect, it } from 'vitest';
import { findHtmlBlock, titleOfHtml } from './artifact-html';

const html = '<!doctype html>\n<title>Balls &amp; gravity</title>\n<canvas></canvas>';
const reply = `Here you go.\n\n\`\`\`html\n${html}\n\`\`\`\n\nClick to add balls.`;

describe('findHtmlBlock', () => {
  it('finds the first html block of a reply', () => {
    expect(findHtmlBlock(reply)).toEqual({ html, closed: true });
    expect(findHtmlBlock('no block here')).toBeNull();
  });

  it('is open while the block streams, whatever the cut', () => {
    const openEnd = reply.indexOf('```html\n') + 8;
    const closeAt = reply.indexOf('\n```\n') + 5;
    for (let end = 0; end <= reply.length; end += 1) {
      const block = findHtmlBlock(reply.slice(0, end));
      if (end < openEnd) expect(block).toBeNull();
      // What the block has so far (a fence still being written included).
      else if (end < closeAt)
        expect(block).toEqual({ html: reply.slice(openEnd, end), closed: false });
      else expect(block).toEqual({ html, closed: true });
    }
  });

  it('takes a closing fence on the last line once the reply ended', () => {
    const text = '```html\n<p>x</p>\n```';
    expect(findHtmlBlock(text)?.closed).toBe(false);
    expect(findHtmlBlock(text, true)).toEqual({ html: '<p>x</p>', closed: true });
  });
});

describe('titleOfHtml', () => {
  it.each([
    [html, 'Balls & gravity'],
    ['<h2>Only <em>a</em> heading</h2>', 'Only a heading'],
    ['<p>nothing</p>', 'Untitled experiment'],
  ])('names %j', (source, title) => {
    expect(titleOfHtml(source)).toBe(title);
  });
});
