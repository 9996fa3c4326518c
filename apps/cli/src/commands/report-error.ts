import type { CommandContext } from '../command-context';
import { describeClientError, type ErrorSituation } from '../describe-client-error';
import type { ExitCode } from '../exit-codes';

/** Prints what went wrong on stderr and answers the exit code for it. */
export function reportError(
  context: CommandContext,
  error: unknown,
  situation: ErrorSituation,
): ExitCode {
  const { message, exitCode } = describeClientError(error, {
    ...situation,
    apiKeySent: context.apiKey !== undefined,
  });
  context.stderr(`${message}\n`);
  return exitCode;
}
