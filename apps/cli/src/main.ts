import { exitCodes } from './exit-codes';
import { runCli } from './run-cli';

// The process level: arguments, environment, terminal, signals and the exit code.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C lets the command cancel and report; a second one quits at once.
  if (interrupt.signal.aborted) process.exit(exitCodes.interrupted);
  interrupt.abort();
});
// A reader that stops early (`sluice list | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.success);
  throw error;
});

let exitCode: number;
try {
  exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    statusLine: process.stderr.isTTY === true,
    interrupt: interrupt.signal,
    defaultServerUrl: process.env.SLUICE_URL || undefined,
    apiKey: process.env.SLUICE_API_KEY?.trim() || undefined,
  });
} catch (error) {
  console.error(error);
  exitCode = exitCodes.failure;
}
// Exit once stdout has flushed; open connections (keep-alive) must not hold the process.
process.stdout.write('', () => process.exit(exitCode));
