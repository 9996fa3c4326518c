/** What plan and chat services need to know to start generations. */
export interface GenerationSettings {
  defaultModel: string;
  fallbackModels: readonly string[];
  temperature: number;
  maxTokens: number;
  /** Starting a generation answers TOO_MANY_REQUESTS beyond this many running ones. */
  maxActiveGenerations: number;
}
