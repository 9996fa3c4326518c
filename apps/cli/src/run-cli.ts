import type { CommandContext } from './command-context';
import { runCancelCommand } from './commands/cancel-command';
import { runListCommand } from './commands/list-command';
import { runPlanCommand } from './commands/plan-command';
import { runWatchCommand } from './commands/watch-command';
import { type ExitCode, exitCodes } from './exit-codes';
import { parseCommandLine, usageText } from './parse-command-line';

export interface RunCliOptions extends CommandContext {
  /** The server when `--server` is not given (main passes $SLUICE_URL). */
  defaultServerUrl?: string;
}

/** Runs `sluice …` (argv without node and the script) and answers the exit code. */
export async function runCli(argv: readonly string[], options: RunCliOptions): Promise<ExitCode> {
  const parsed = parseCommandLine(argv, options.defaultServerUrl);
  if (!parsed.success) {
    options.stderr(`${parsed.error}\nRun \`sluice --help\` for usage.\n`);
    return exitCodes.usage;
  }
  const command = parsed.value;
  switch (command.name) {
    case 'help':
      options.stdout(usageText);
      return exitCodes.success;
    case 'plan':
      return runPlanCommand(command, options);
    case 'watch':
      return runWatchCommand(command, options);
    case 'list':
      return runListCommand(command, options);
    case 'cancel':
      return runCancelCommand(command, options);
  }
}
