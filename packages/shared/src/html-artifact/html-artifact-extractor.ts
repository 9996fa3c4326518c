/** What the extractor knows about the first ```html block of a reply. */
export interface ExtractedArtifact {
  html: string;
  title: string;
  /** False while the block is still open (or the reply ended inside it). */
  closed: boolean;
}

export type HtmlBlockEvent = { type: 'block-start' } | { type: 'block-end'; html: string };

const openingFence = /^ {0,3}```\s*html\b[^`]*$/i;
const closingFence = /^ {0,3}```\s*$/;

/**
 * Finds the first ```html fenced block in streamed text, incrementally: each character
 * is looked at once, whatever the chunking, and only the current line is buffered, so
 * fences split across chunks are found and the cost stays linear.
 */
export function createHtmlArtifactExtractor() {
  let state: 'searching' | 'inside' | 'done' = 'searching';
  let line = '';
  const htmlLines: string[] = [];

  function completeLine(events: HtmlBlockEvent[]): void {
    if (state === 'searching' && openingFence.test(line)) {
      state = 'inside';
      events.push({ type: 'block-start' });
    } else if (state === 'inside') {
      if (closingFence.test(line)) {
        state = 'done';
        events.push({ type: 'block-end', html: htmlLines.join('\n') });
      } else {
        htmlLines.push(line);
      }
    }
    line = '';
  }

  // A function, so that the check is not narrowed away after completeLine changed the state.
  const isDone = () => state === 'done';

  return {
    /** Feeds streamed text; returns the block events it completed. */
    feed(text: string): HtmlBlockEvent[] {
      const events: HtmlBlockEvent[] = [];
      if (state === 'done') return events;
      let start = 0;
      for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', start)) {
        line += text.slice(start, index).replace(/\r$/, '');
        completeLine(events);
        start = index + 1;
        if (isDone()) return events;
      }
      line += text.slice(start);
      return events;
    },
    /** The text has ended: a closing fence on the last line still closes the block. */
    end(): HtmlBlockEvent[] {
      const events: HtmlBlockEvent[] = [];
      if (state === 'inside' && closingFence.test(line)) completeLine(events);
      return events;
    },
    /** The block so far (for a reply that stopped inside it, what was written). */
    artifact(): ExtractedArtifact | null {
      if (state === 'searching') return null;
      const html = state === 'inside' ? [...htmlLines, line].join('\n') : htmlLines.join('\n');
      return { html, title: titleOf(html), closed: state === 'done' };
    },
  };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function plainText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Its `<title>`, else its first heading, else a generic name. */
export function titleOf(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (title && plainText(title)) return plainText(title);
  const heading = /<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/i.exec(html)?.[1];
  if (heading && plainText(heading)) return plainText(heading);
  return 'Untitled experiment';
}

/**
 * The first ```html block of a text found in one go (a client that holds the whole reply
 * so far). `ended`: the text is complete, so a closing fence on its last line counts.
 */
export function findHtmlBlock(
  content: string,
  ended = false,
): { html: string; closed: boolean } | null {
  const extractor = createHtmlArtifactExtractor();
  extractor.feed(content);
  if (ended) extractor.end();
  const artifact = extractor.artifact();
  return artifact ? { html: artifact.html, closed: artifact.closed } : null;
}
