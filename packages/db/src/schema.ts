import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// One interface per table: a row reads the same on SQLite and PostgreSQL (see
// postgres-database.ts). Timestamps are ISO-8601 text (`2026-12-02T10:00:00.000Z`: TEXT on
// SQLite, timestamptz on PostgreSQL); booleans are 0/1 integers and JSON documents text on
// both.

export type PlanStatusValue = 'generating' | 'completed' | 'failed' | 'cancelled' | 'partial';

export interface PlanInputsTable {
  id: string;
  /** The owner; null only for rows from before accounts, until the first admin exists. */
  user_id: string | null;
  goals: string;
  /** JSON text of the validated preferences object, '{}' when none were given. */
  preferences: string;
  created_at: string;
}

export interface PlansTable {
  id: string;
  /** The owner; null only for rows from before accounts, until the first admin exists. */
  user_id: string | null;
  input_id: string;
  status: PlanStatusValue;
  /** Why the generation stopped when the status alone does not say (EndReason). */
  status_reason: string | null;
  model: string;
  /** Text streamed so far; flushed on a throttle while generating, final afterwards. */
  partial_content: Generated<string>;
  /** The full text, set only when the plan completed. */
  content: string | null;
  /** JSON text of the parsed (possibly partial) plan document. */
  plan_json: string | null;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  /** `billed`, `computed` or `estimated`; null when no cost is known. */
  cost_source: CostSourceValue | null;
  /** The provider's id for the generation (OpenRouter's `gen-…`), to fetch its bill. */
  upstream_id: string | null;
  attempts: Generated<number>;
  /** Set when the plan ends (null while generating and for plans from before they were kept). */
  time_to_first_token_ms: number | null;
  duration_ms: number | null;
  /** Length of the saved text (partial or whole), in UTF-16 code units. */
  characters: number | null;
  /** The plan whose saved text this one continues, if any. */
  continued_from: string | null;
  /** Which key paid for the generation; null for plans from before keys were recorded. */
  key_source: KeySource | null;
  generation_started_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: ColumnType<string, string, string>;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface ChatSessionsTable {
  id: string;
  /** The owner; null only for rows from before accounts, until the first admin exists. */
  user_id: string | null;
  title: string;
  model: string;
  system_prompt: Generated<string>;
  character: Generated<string>;
  user_profile: Generated<string>;
  /** 0 or 1. */
  experiment: Generated<number>;
  /** The session's ceiling on one reply's cost, USD; null: the server's default. */
  max_cost_usd: number | null;
  created_at: string;
  updated_at: string;
}

export type ChatRole = 'user' | 'assistant';

export interface ChatMessagesTable {
  id: string;
  /** The owner; null only for rows from before accounts, until the first admin exists. */
  user_id: string | null;
  session_id: string;
  role: ChatRole;
  content: Generated<string>;
  /** Null for user messages. */
  status: PlanStatusValue | null;
  status_reason: string | null;
  /** For an assistant message: the user message it answers. */
  reply_to: string | null;
  client_request_id: string | null;
  model: string | null;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  /** `billed`, `computed` or `estimated`; null when no cost is known. */
  cost_source: CostSourceValue | null;
  /** The provider's id for the generation (OpenRouter's `gen-…`), to fetch its bill. */
  upstream_id: string | null;
  time_to_first_token_ms: number | null;
  duration_ms: number | null;
  chunks: number | null;
  characters: number | null;
  /** For an assistant message: which key paid for it. */
  key_source: KeySource | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface ChatArtifactsTable {
  id: string;
  /** The owner; null only for rows from before accounts, until the first admin exists. */
  user_id: string | null;
  session_id: string;
  message_id: string;
  title: string | null;
  html: string | null;
  created_at: string;
  updated_at: string;
}

export type UserRole = 'user' | 'admin';

/** Better Auth's `user` model (fields mapped to snake_case by the auth instance). */
export interface UsersTable {
  id: string;
  name: string;
  email: string;
  email_verified: Generated<number>;
  image: string | null;
  role: Generated<UserRole>;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token: string;
  expires_at: string;
  ip_address: string | null;
  user_agent: string | null;
  created_at: string;
  updated_at: string;
}

export interface AccountsTable {
  id: string;
  user_id: string;
  account_id: string;
  provider_id: string;
  access_token: string | null;
  refresh_token: string | null;
  id_token: string | null;
  access_token_expires_at: string | null;
  refresh_token_expires_at: string | null;
  scope: string | null;
  /** Better Auth's password hash (scrypt). */
  password: string | null;
  created_at: string;
  updated_at: string;
}

export interface VerificationsTable {
  id: string;
  identifier: string;
  value: string;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  /** The first characters of the key, to recognise it. */
  start: string;
  /** Hex SHA-256 of the key. */
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
}

export interface UserSettingsTable {
  user_id: string;
  key: string;
  value: string;
  updated_at: string;
}

export type ProviderName = 'openrouter' | 'anthropic' | 'openai';

/** Which key a generation used: the user's, the app-wide one, the environment's, or none (simulator). */
export type KeySource = 'user' | 'app' | 'env' | 'simulator';

export interface ProviderKeysTable {
  id: string;
  /** Null for the app-wide key the admin sets. */
  user_id: string | null;
  provider: ProviderName;
  /** `v1:<keyId>:<iv>:<tag>:<ciphertext>`, never the key. */
  encrypted_key: string;
  /** What may be shown: `sk-or-…abcd`. */
  masked: string;
  created_at: string;
  updated_at: string;
}

export type QuotaName = 'plans-per-month' | 'replies-per-day' | 'usd-per-month';

/** The admin's overrides: NULL = the env default, -1 = unlimited, else the user's limit. */
export interface UserQuotasTable {
  user_id: string;
  plans_per_month: number | null;
  replies_per_day: number | null;
  usd_per_month: number | null;
  updated_at: string;
}

export interface QuotaUsageTable {
  user_id: string;
  quota: QuotaName;
  /** `2026-12` for monthly quotas, `2026-12-02` for daily ones (UTC). */
  period: string;
  /** Generations counted in the period. */
  used: Generated<number>;
  /** Their settled cost, USD. */
  spent_usd: Generated<number>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  accounts: AccountsTable;
  verifications: VerificationsTable;
  api_keys: ApiKeysTable;
  user_settings: UserSettingsTable;
  plan_inputs: PlanInputsTable;
  plans: PlansTable;
  settings: SettingsTable;
  chat_sessions: ChatSessionsTable;
  chat_messages: ChatMessagesTable;
  chat_artifacts: ChatArtifactsTable;
  provider_keys: ProviderKeysTable;
  user_quotas: UserQuotasTable;
  quota_usage: QuotaUsageTable;
  model_prices: ModelPricesTable;
}

export type CostSourceValue = 'billed' | 'computed' | 'estimated';

/** Prices per token in USD, refreshed from OpenRouter's models list. */
export interface ModelPricesTable {
  model: string;
  input_per_token: number;
  output_per_token: number;
  cache_read_per_token: number | null;
  cache_write_per_token: number | null;
  reasoning_per_token: number | null;
  /** Where the figures come from, e.g. `openrouter-models`. */
  source: string;
  refreshed_at: string;
}

export type ModelPriceRow = Selectable<ModelPricesTable>;

export type UserQuotasRow = Selectable<UserQuotasTable>;
export type QuotaUsageRow = Selectable<QuotaUsageTable>;

export type ProviderKeyRow = Selectable<ProviderKeysTable>;

export type ChatSessionRow = Selectable<ChatSessionsTable>;
export type ChatMessageRow = Selectable<ChatMessagesTable>;
export type ChatArtifactRow = Selectable<ChatArtifactsTable>;

export type PlanInputRow = Selectable<PlanInputsTable>;
export type NewPlanInputRow = Insertable<PlanInputsTable>;
export type PlanRow = Selectable<PlansTable>;
export type NewPlanRow = Insertable<PlansTable>;
export type PlanUpdate = Updateable<PlansTable>;

export type UserRow = Selectable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type SessionRow = Selectable<SessionsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type VerificationRow = Selectable<VerificationsTable>;
export type UserSettingRow = Selectable<UserSettingsTable>;
export type SettingRow = Selectable<SettingsTable>;
