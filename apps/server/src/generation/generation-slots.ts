/** One reserved place among the running generations; releasing it twice is harmless. */
export interface GenerationSlot {
  release(): void;
}

/**
 * The cap on running generations, shared by every kind (plans and chat replies). A slot is
 * taken synchronously, before the caller's first `await`, so calls that arrive together
 * (one HTTP batch, concurrent requests) can never all pass the check before any starts.
 */
export interface GenerationSlots {
  /** Takes a slot, or returns undefined when all are taken. */
  tryReserve(): GenerationSlot | undefined;
  readonly inUse: number;
  readonly limit: number;
}

export function createGenerationSlots(limit: number): GenerationSlots {
  let inUse = 0;
  return {
    tryReserve() {
      if (inUse >= limit) return undefined;
      inUse += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          inUse -= 1;
        },
      };
    },
    get inUse() {
      return inUse;
    },
    limit,
  };
}
