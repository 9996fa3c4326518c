import { memo } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { markdownBlocks } from './streaming-markdown';

/**
 * Safe by construction: no raw HTML (react-markdown shows it as text; rehype-raw is never
 * used), URLs through react-markdown's default filter (no `javascript:`), links open apart
 * from the app without a window reference, and images are links (nothing loads by itself).
 */
const components: Components = {
  a({ href, children }) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  },
  img({ src, alt }) {
    if (typeof src !== 'string' || src === '') return <span>{alt}</span>;
    return (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt ? `Image: ${alt}` : 'Image'}
      </a>
    );
  },
};

const remarkPlugins = [remarkGfm];

/** One block; finished blocks keep their rendering while the next one streams. */
const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <Markdown remarkPlugins={remarkPlugins} components={components}>
      {text}
    </Markdown>
  );
});

export function MessageMarkdown({ content, streaming }: { content: string; streaming: boolean }) {
  const blocks = markdownBlocks(content, streaming);
  return (
    <>
      {blocks.map((block, index) => (
        // Blocks only ever grow at the end: the index is a stable identity.
        <MarkdownBlock key={index} text={block} />
      ))}
    </>
  );
}
