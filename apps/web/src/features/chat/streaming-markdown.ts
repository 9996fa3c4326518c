/**
 * Markdown that is still being written: the text is cut into blocks at blank lines (outside
 * code fences), so the finished blocks keep their rendering and only the last one is parsed
 * again as text arrives; and an unterminated code fence is closed for the render, so the
 * code shows as code while it streams instead of flashing as paragraphs.
 */

const fencePattern = /^[ \t]*(`{3,}|~{3,})(.*)$/;

interface Fence {
  marker: string;
}

/** The fence a line opens, given none is open; null when it opens none. */
function openingFence(line: string): Fence | null {
  const match = fencePattern.exec(line);
  if (!match?.[1]) return null;
  const marker = match[1];
  // A backtick fence's info string cannot contain backticks (then it is inline code).
  if (marker.startsWith('`') && (match[2] ?? '').includes('`')) return null;
  return { marker };
}

function closesFence(line: string, fence: Fence): boolean {
  const match = fencePattern.exec(line);
  if (!match?.[1]) return false;
  return (
    match[1][0] === fence.marker[0] &&
    match[1].length >= fence.marker.length &&
    (match[2] ?? '').trim() === ''
  );
}

/** The fence still open at the end of `text`, if any. */
export function openFenceAtEnd(text: string): string | null {
  let fence: Fence | null = null;
  for (const line of text.split('\n')) {
    if (fence) {
      if (closesFence(line, fence)) fence = null;
    } else {
      fence = openingFence(line);
    }
  }
  return fence?.marker ?? null;
}

/** Closes a code fence the text left open (for rendering a reply that is still streaming). */
export function closeOpenFence(text: string): string {
  const marker = openFenceAtEnd(text);
  if (marker === null) return text;
  return `${text}${text.endsWith('\n') ? '' : '\n'}${marker}`;
}

const blankLine = /^[ \t]*$/;

/**
 * Cuts markdown into blocks at blank lines outside code fences. A blank line followed by
 * an indented line (a list item's next paragraph) does not cut. Joined with blank lines,
 * the blocks give back the text (up to the blank lines between them).
 */
export function splitMarkdownBlocks(text: string): string[] {
  const lines = text.split('\n');
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: Fence | null = null;
  let blanks: string[] = [];

  for (const line of lines) {
    if (fence) {
      current.push(...blanks, line);
      blanks = [];
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    if (blankLine.test(line)) {
      blanks.push(line);
      continue;
    }
    if (blanks.length > 0 && current.length > 0 && !/^[ \t]/.test(line)) {
      blocks.push(current.join('\n'));
      current = [];
    } else if (current.length > 0) {
      current.push(...blanks);
    }
    blanks = [];
    current.push(line);
    fence = openingFence(line);
  }
  if (fence) current.push(...blanks);
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}

/**
 * The markdown blocks to render for a message: the whole text once it is finished (so lists
 * and references that span blank lines render as one), blocks while it streams, the last
 * one with its open fence closed.
 */
export function markdownBlocks(content: string, streaming: boolean): string[] {
  if (!streaming) return content.trim() === '' ? [] : [content];
  const blocks = splitMarkdownBlocks(content);
  const last = blocks.length - 1;
  if (last >= 0) blocks[last] = closeOpenFence(blocks[last] ?? '');
  return blocks;
}
