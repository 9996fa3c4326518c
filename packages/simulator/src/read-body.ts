import type { IncomingMessage } from 'node:http';

export type ReadBodyResult = { success: true; value: string } | { success: false; error: string };

/** Reads a request body as UTF-8, refusing (without buffering further) past `limitBytes`. */
export async function readBody(
  request: IncomingMessage,
  limitBytes: number,
): Promise<ReadBodyResult> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of request) {
    const buffer = part as Buffer;
    size += buffer.length;
    if (size > limitBytes)
      return { success: false, error: `The request body is larger than ${limitBytes} bytes` };
    parts.push(buffer);
  }
  return { success: true, value: Buffer.concat(parts).toString('utf8') };
}
