/**
 * The first ```html block of a reply, found the way the server finds it (the same fences,
 * line by line), so an experiment can open as soon as its block closes, before the server
 * has saved it. The saved html from `chat.getArtifact` replaces it once there.
 */

const openingFence = /^ {0,3}```\s*html\b[^`]*$/i;
const closingFence = /^ {0,3}```\s*$/;

export interface HtmlBlock {
  html: string;
  /** The closing fence arrived. */
  closed: boolean;
}

/**
 * `ended`: the text is complete, so a closing fence on its last line (no newline after it)
 * counts; while streaming, that line may still grow.
 */
export function findHtmlBlock(content: string, ended = false): HtmlBlock | null {
  const lines = content.split('\n');
  let inside = false;
  const html: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').replace(/\r$/, '');
    const hasNewline = index < lines.length - 1;
    if (!inside) {
      if (hasNewline && openingFence.test(line)) inside = true;
      continue;
    }
    const complete = hasNewline || ended;
    if (complete && closingFence.test(line)) return { html: html.join('\n'), closed: true };
    html.push(line);
  }
  return inside ? { html: html.join('\n'), closed: false } : null;
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

/** Its `<title>`, else its first heading, else a generic name (as the server names it). */
export function titleOfHtml(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (title && plainText(title)) return plainText(title);
  const heading = /<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/i.exec(html)?.[1];
  if (heading && plainText(heading)) return plainText(heading);
  return 'Untitled experiment';
}
