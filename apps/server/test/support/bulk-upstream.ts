import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BulkUpstream {
  /** Base URL for OPENROUTER_BASE_URL. */
  url: string;
  /** The whole text every completion streams. */
  text: string;
  /** Completions wait for this before they send anything. */
  release(): void;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible upstream that streams a large text as fast as the server
 * reads it (a fake at the provider edge, for tests that need many megabytes).
 */
export async function startBulkUpstream(options: {
  pieces: number;
  pieceLength: number;
}): Promise<BulkUpstream> {
  const pieces = Array.from({ length: options.pieces }, (_, index) => {
    const label = `[${index}]`;
    return label + 'abcdefghij'.repeat(options.pieceLength / 10).slice(label.length);
  });
  // A plan document whose summary is the whole text, so the plan parser accepts it.
  const opening = '{"title":"Bulk","monthly_summary":"';
  const closing = '","weeks":[]}';
  const chunks = [opening, ...pieces, closing];
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', async () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      await released;
      const write = (payload: object) =>
        new Promise<void>((resolve) => {
          if (response.write(`data: ${JSON.stringify(payload)}\n\n`)) resolve();
          else response.once('drain', () => resolve());
        });
      for (const content of chunks) {
        await write({ id: 'bulk', choices: [{ index: 0, delta: { content } }] });
      }
      await write({ id: 'bulk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    text: chunks.join(''),
    release,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
