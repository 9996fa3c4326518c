#!/usr/bin/env tsx
import { startSimulator } from './start-simulator';

/** Reads a number from the environment, or exits with a message saying how to fix it. */
function numberFromEnvironment(
  name: string,
  isValid: (value: number) => boolean,
): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (Number.isFinite(value) && isValid(value)) return value;
  console.error(
    `${name}=${raw} is not valid: use a number such as ${name === 'PORT' ? '8787' : '40'}.`,
  );
  process.exit(1);
}

const simulator = await startSimulator({
  host: process.env.HOST || undefined,
  port: numberFromEnvironment(
    'PORT',
    (value) => Number.isInteger(value) && value >= 0 && value < 65536,
  ),
  tokensPerSecond: numberFromEnvironment('SIM_TOKENS_PER_SECOND', (value) => value > 0),
});
console.log(`Sluice simulator (OpenRouter-compatible) listening on ${simulator.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
