import type { TerminalGenerationStatus } from '@sluice/shared';

/** The process exit codes, documented in `sluice --help`. */
export const exitCodes = {
  success: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  interrupted: 130,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A plan cancelled by someone else is a failure for this run; Ctrl-C is handled apart. */
export function exitCodeForStatus(status: TerminalGenerationStatus): ExitCode {
  switch (status) {
    case 'completed':
      return exitCodes.success;
    case 'partial':
      return exitCodes.partial;
    case 'failed':
    case 'cancelled':
      return exitCodes.failure;
  }
}
