import type { AppRouter, FieldErrors } from '@sluice/server';
import { isTRPCClientError } from '@trpc/client';
import { type ExitCode, exitCodes } from './exit-codes';
import { ConnectionLostError } from './follow-plan-events';

export interface ErrorDescription {
  message: string;
  exitCode: ExitCode;
}

export interface ErrorSituation {
  serverUrl: string;
  /** The plan being followed, to say how to resume. */
  planId?: string;
  /** Whether SLUICE_API_KEY was set (to say why the server refused). */
  apiKeySent?: boolean;
}

/** The command-line option behind each field the server validates. */
const optionsByField: Record<string, string> = {
  'preferences.hoursPerWeek': '--hours',
  'preferences.startDate': '--start',
  'preferences.constraints': '--constraints',
  model: '--model',
  limit: '--limit',
};

function unreachableMessage(serverUrl: string): string {
  return `Cannot reach the Sluice server at ${serverUrl} — is it running? Start it with \`pnpm start\`.`;
}

function formatFieldErrors(fieldErrors: FieldErrors): string {
  const lines = Object.entries(fieldErrors).map(([path, messages]) => {
    const option = optionsByField[path];
    return `  ${option ? `${path} (${option})` : path}: ${messages.join('; ')}`;
  });
  return `The server rejected the request:\n${lines.join('\n')}`;
}

function describeConnectionLost(error: ConnectionLostError, situation: ErrorSituation): string {
  const resume = situation.planId
    ? ` The plan may still be generating: resume with \`sluice watch ${situation.planId}\`.`
    : '';
  return `Lost the connection to the Sluice server at ${situation.serverUrl}; ${error.attempts} reconnection attempts failed.${resume}`;
}

/** One clear message and exit code for anything a command's server calls can throw. */
export function describeClientError(error: unknown, situation: ErrorSituation): ErrorDescription {
  if (error instanceof ConnectionLostError) {
    return { message: describeConnectionLost(error, situation), exitCode: exitCodes.failure };
  }
  if (!isTRPCClientError<AppRouter>(error)) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { message: `Unexpected error: ${detail}`, exitCode: exitCodes.failure };
  }
  const code = error.data?.code;
  switch (code) {
    case undefined:
      // No tRPC error body: Ctrl-C aborted the request, it never got an answer, or not one from Sluice.
      if (error.cause?.name === 'AbortError') {
        return { message: 'Interrupted.', exitCode: exitCodes.interrupted };
      }
      return error.cause instanceof TypeError
        ? { message: unreachableMessage(situation.serverUrl), exitCode: exitCodes.failure }
        : {
            message: `The server at ${situation.serverUrl} did not answer like a Sluice server: ${error.message}`,
            exitCode: exitCodes.failure,
          };
    case 'BAD_REQUEST':
      return {
        message: error.data?.fieldErrors
          ? formatFieldErrors(error.data.fieldErrors)
          : error.message,
        exitCode: exitCodes.usage,
      };
    case 'UNAUTHORIZED':
      return {
        message: `The server at ${situation.serverUrl} needs an API key: create one in Sluice's settings (or with account.createApiKey) and set SLUICE_API_KEY=sk-sluice-…. ${situation.apiKeySent ? 'The key in SLUICE_API_KEY was refused (revoked, or from another server).' : 'SLUICE_API_KEY is not set.'}`,
        exitCode: exitCodes.failure,
      };
    case 'NOT_FOUND':
      return {
        message: `${error.message} on the server at ${situation.serverUrl}. \`sluice list\` shows the plans it has.`,
        exitCode: exitCodes.failure,
      };
    default:
      return {
        message: `The server answered ${code}: ${error.message}`,
        exitCode: exitCodes.failure,
      };
  }
}
