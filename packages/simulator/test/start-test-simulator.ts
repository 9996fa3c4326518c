import { type Simulator, type SimulatorOptions, startSimulator } from '../src/index';

/** Fast enough for tests, slow enough that every stage of a stream is observable. */
export const fastOptions: SimulatorOptions = {
  tokensPerSecond: 5000,
  firstTokenDelayMs: 5,
  keepAliveIntervalMs: 50,
  retryAfterSeconds: 0,
};

const started: Simulator[] = [];

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await startSimulator({ ...fastOptions, ...options });
  started.push(simulator);
  return simulator;
}

/** For `afterEach`: closes every simulator started by the test. */
export async function closeTestSimulators(): Promise<void> {
  await Promise.all(started.splice(0).map((simulator) => simulator.close()));
}

export function postCompletion(
  simulator: Simulator,
  body: unknown,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${simulator.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export function completionBody(model: string, goals: string, extra: Record<string, unknown> = {}) {
  return {
    model,
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: 'You are a helpful planning assistant.' },
      { role: 'user', content: goals },
    ],
    ...extra,
  };
}

export const planFormat = { response_format: { type: 'json_object' } };
