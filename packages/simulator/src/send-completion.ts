import { createUsage } from './create-usage';
import { sendJson } from './send-json';
import { millisecondsPerPiece, type ResponseOptions } from './stream-completion';

/** `stream: false`: the same content as one `chat.completion`, after the time it would take to stream. */
export async function sendCompletion(options: ResponseOptions): Promise<void> {
  const { response, signal, generation, wire, fault, timing } = options;
  const generationTime = generation.pieces.length * millisecondsPerPiece(timing, fault);
  await timing.clock.sleep(timing.firstTokenDelayMs + generationTime, signal);
  const usage = createUsage(generation.promptTokens, generation.pieces.length);
  options.onContent(generation.content);
  options.onSettled('completed');
  sendJson(response, 200, wire.completion(generation.content, usage), options.headers);
}
