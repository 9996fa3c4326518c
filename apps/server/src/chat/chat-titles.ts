export const defaultSessionTitle = 'New chat';
const maximumTitleLength = 60;

/** A session still called "New chat" is named after its first message. */
export function titleFromMessage(content: string): string {
  const line = content.trim().split('\n')[0]?.replace(/\s+/g, ' ') ?? '';
  if (line.length <= maximumTitleLength) return line || defaultSessionTitle;
  const cut = line.slice(0, maximumTitleLength);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > 30 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
