import type { UserRole } from '@sluice/db';

/** Who is calling: resolved per HTTP request from the session cookie or an API key. */
export interface Caller {
  userId: string;
  email: string;
  name: string;
  role: UserRole;
  /** How the caller proved who they are. */
  via: 'session' | 'api-key';
}
