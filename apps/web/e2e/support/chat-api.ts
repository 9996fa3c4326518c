import type { AppRouter } from '@sluice/server';
import type { SimulatorRequestRecord } from '@sluice/simulator';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import { sessionCookieHeaderFor } from './start-e2e-server';

export type ApiClient = TRPCClient<AppRouter>;

/** A typed tRPC client for the e2e server, to set up state (sessions, settings) quickly. */
export function createApiClient(serverUrl: string): ApiClient {
  const cookie = sessionCookieHeaderFor(serverUrl);
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${serverUrl}/trpc`, headers: cookie ? { cookie } : {} })],
  });
}

/** A chat message of a recorded upstream request body. */
export interface UpstreamMessage {
  role: string;
  content: string;
}

/** The messages a recorded upstream request sent (system, history, user). */
export function upstreamMessages(record: SimulatorRequestRecord | undefined): UpstreamMessage[] {
  const body = record?.body as { messages?: UpstreamMessage[] } | undefined;
  return body?.messages ?? [];
}

/**
 * A message no other test sends: the simulator's records are keyed by the prompt. The marker
 * is a sentence of its own after the question, so the reply's subject and topic stay the
 * question's ("How do I learn the cello?" → “learn the cello”).
 */
export function uniqueMessage(text: string): string {
  const marker = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const sentence = /[.!?]$/.test(text) ? text : `${text}.`;
  return `${sentence} Test run ${marker}.`;
}

/** The HTML between the fences of the first ```html block of a reply (as the server extracts it). */
export function htmlBlockOf(text: string): string | undefined {
  return /^```html[^\n]*\n([\s\S]*?)\n```$/m.exec(text)?.[1];
}
