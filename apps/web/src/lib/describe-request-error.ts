import { isTRPCClientError } from '@trpc/client';

export const unreachableMessage =
  "Can't reach the Sluice server. Check that it is running, then try again.";

/** Field errors from a BAD_REQUEST answer, keyed by dotted path (`preferences.hoursPerWeek`). */
export type FieldErrors = Record<string, string[]>;

interface ErrorData {
  code?: string;
  httpStatus?: number;
  fieldErrors?: FieldErrors | null;
  /** Set on quota and rate refusals (TOO_MANY_REQUESTS). */
  reason?: string;
}

function errorData(error: unknown): ErrorData | undefined {
  if (!isTRPCClientError(error)) return undefined;
  const data: unknown = error.data;
  return typeof data === 'object' && data !== null ? (data as ErrorData) : undefined;
}

/** No answer from the Sluice server at all: the request failed, or a proxy answered instead. */
export function isUnreachableError(error: unknown): boolean {
  return isTRPCClientError(error)
    ? errorData(error)?.code === undefined
    : error instanceof TypeError;
}

/** The tRPC error code of the server's answer (`NOT_FOUND`…), if there was one. */
export function errorCodeOf(error: unknown): string | undefined {
  const code: unknown = errorData(error)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isNotFoundError(error: unknown): boolean {
  return errorData(error)?.code === 'NOT_FOUND';
}

export function fieldErrorsOf(error: unknown): FieldErrors | null {
  const data = errorData(error);
  return data?.code === 'BAD_REQUEST' && data.fieldErrors ? data.fieldErrors : null;
}

/**
 * A per-user limit refused the request (`QUOTA_EXCEEDED`: a quota ran out;
 * `RATE_LIMITED`: too many starts in a minute). The server words these for the user:
 * what ran out and when it comes back.
 */
export function isLimitRefusal(error: unknown): boolean {
  const reason = errorData(error)?.reason;
  return reason === 'QUOTA_EXCEEDED' || reason === 'RATE_LIMITED';
}

export function limitRefusalMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return message || 'You have reached a limit of your account. Try again later.';
}

/** One plain sentence for a failed query or mutation. */
export function describeRequestError(error: unknown): string {
  if (isUnreachableError(error)) return unreachableMessage;
  const data = errorData(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (data?.code) {
    case 'BAD_REQUEST':
      return data.fieldErrors
        ? `The server did not accept this: ${Object.entries(data.fieldErrors)
            .map(([path, messages]) => `${path}: ${messages.join(', ')}`)
            .join('; ')}.`
        : message;
    case 'NOT_FOUND':
      return 'No plan with this id.';
    case 'TOO_MANY_REQUESTS':
      if (isLimitRefusal(error)) return limitRefusalMessage(error);
      return 'The server is busy writing other plans. Try again in a moment.';
    case 'CONFLICT':
      return message;
    case 'INTERNAL_SERVER_ERROR':
      return 'Something went wrong on the Sluice server. Try again.';
    default:
      return message || 'Something went wrong. Try again.';
  }
}
