import { describe, expect, it } from 'vitest';
import {
  createHtmlArtifactExtractor,
  findHtmlBlock,
  type HtmlBlockEvent,
  titleOf,
} from './html-artifact-extractor';

const html =
  '<!doctype html>\n<html><head><title>Bouncing &amp; balls</title></head>\n<body><canvas></canvas>\n<script>let x = "```";</script></body></html>';
const reply = `Here is a small experiment:\n\n\`\`\`html\n${html}\n\`\`\`\n\nOpen it and press **start**.\n\n\`\`\`html\n<p>second block is ignored</p>\n\`\`\`\n`;

function run(chunks: string[]) {
  const extractor = createHtmlArtifactExtractor();
  const events: HtmlBlockEvent[] = [];
  for (const chunk of chunks) events.push(...extractor.feed(chunk));
  events.push(...extractor.end());
  return { events, artifact: extractor.artifact() };
}

function chunked(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size)
    chunks.push(text.slice(index, index + size));
  return chunks;
}

describe('html artifact extractor', () => {
  it.each([1, 2, 3, 5, 7, 64, reply.length])(
    'extracts the first block fed in chunks of %i',
    (size) => {
      const { events, artifact } = run(chunked(reply, size));
      expect(events).toEqual([{ type: 'block-start' }, { type: 'block-end', html }]);
      expect(artifact).toEqual({ html, title: 'Bouncing & balls', closed: true });
    },
  );

  it('finds a fence split at every position', () => {
    for (let index = 1; index < reply.length; index++) {
      expect(run([reply.slice(0, index), reply.slice(index)]).artifact?.html).toBe(html);
    }
  });

  it('closes on a final fence with no newline after it, and handles CRLF', () => {
    expect(run(['```html\r\n<p>a</p>\r\n```']).artifact).toEqual({
      html: '<p>a</p>',
      title: 'Untitled experiment',
      closed: true,
    });
  });

  it('keeps what was written of a block the reply stopped inside', () => {
    const { events, artifact } = run(['intro\n```html\n<h1>Half</h1>\n<di']);
    expect(events).toEqual([{ type: 'block-start' }]);
    expect(artifact).toEqual({ html: '<h1>Half</h1>\n<di', title: 'Half', closed: false });
  });

  it('ignores other languages and inline mentions of html fences', () => {
    expect(run(['Use ```html fences.\n```js\nalert(1)\n```\n']).artifact).toBeNull();
  });

  it.each([
    ['<title> Demo </title><h1>Other</h1>', 'Demo'],
    ['<h2 class="x">A <em>nice</em> title</h2>', 'A nice title'],
    ['<title></title><h1>Heading</h1>', 'Heading'],
    ['<p>nothing</p>', 'Untitled experiment'],
  ])('titles %j as %j', (source, title) => {
    expect(titleOf(source)).toBe(title);
  });
});

const webHtml = '<!doctype html>\n<title>Balls &amp; gravity</title>\n<canvas></canvas>';
const webReply = `Here you go.\n\n\`\`\`html\n${webHtml}\n\`\`\`\n\nClick to add balls.`;

describe('findHtmlBlock', () => {
  it('finds the first html block of a reply held whole', () => {
    expect(findHtmlBlock(webReply)).toEqual({ html: webHtml, closed: true });
    expect(findHtmlBlock('no block here')).toBeNull();
  });

  it('is open while the block streams, whatever the cut', () => {
    const openEnd = webReply.indexOf('```html\n') + 8;
    const closeAt = webReply.indexOf('\n```\n') + 5;
    for (let end = 0; end <= webReply.length; end += 1) {
      const block = findHtmlBlock(webReply.slice(0, end));
      if (end < openEnd) expect(block).toBeNull();
      // What the block has so far (a fence still being written included).
      else if (end < closeAt)
        expect(block).toEqual({ html: webReply.slice(openEnd, end), closed: false });
      else expect(block).toEqual({ html: webHtml, closed: true });
    }
  });

  it('takes a closing fence on the last line once the reply ended', () => {
    const text = '```html\n<p>x</p>\n```';
    expect(findHtmlBlock(text)?.closed).toBe(false);
    expect(findHtmlBlock(text, true)).toEqual({ html: '<p>x</p>', closed: true });
  });
});
