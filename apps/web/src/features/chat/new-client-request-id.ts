/**
 * A fresh id for one send (`clientRequestId`): a retry of the same send reuses it, so the
 * server attaches to the reply it started instead of starting another.
 * `crypto.randomUUID` exists only in secure contexts (not plain http on a LAN address).
 */
export function newClientRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
