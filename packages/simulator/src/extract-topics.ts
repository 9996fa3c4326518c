const labelledLinePattern = /^\s*(?:[-*•]\s*)?([\p{L} ]{1,30}):\s*(.*)$/u;
const clauseSeparator = /[\n.;!?]+|,\s*|\s+(?:and then|and|then|also|plus)\s+/i;
const fillerPattern =
  /^(?:i\s+(?:really\s+)?(?:want|would like|['’]d like|need|hope|plan|wish)\s+to|i['’]m\s+trying\s+to|help\s+me(?:\s+to)?|how\s+(?:do|can|should)\s+i|what['’]?s\s+the\s+best\s+way\s+to|can\s+you|please|my\s+goals?\s+(?:is|are)(?:\s+to)?|this\s+month\s+i\s+(?:want\s+to|will)|to)\s+/i;
const timeframePattern = /\s+(?:this|next|within a|in a|in one)\s+(?:week|month|year)$/i;
const maximumTopicWords = 6;

/** Keeps free text, and of `Label: value` lines only the values of goal-like labels. */
function goalText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const labelled = labelledLinePattern.exec(line);
      if (!labelled) return line;
      return /goal/i.test(labelled[1] ?? '') ? (labelled[2] ?? '') : '';
    })
    .join('\n');
}

function cleanClause(clause: string): string {
  let cleaned = clause.trim();
  for (let previous = ''; previous !== cleaned; ) {
    previous = cleaned;
    cleaned = cleaned.replace(fillerPattern, '').trim();
  }
  return cleaned.replace(timeframePattern, '').split(/\s+/).slice(0, maximumTopicWords).join(' ');
}

/**
 * A few short phrases picked out of what the user wrote ("I want to run a 10k and learn
 * Spanish" → ["run a 10k", "learn Spanish"]), at most `limit`; never empty.
 */
export function extractTopics(text: string, limit = 3): string[] {
  const topics = goalText(text)
    .split(clauseSeparator)
    .map(cleanClause)
    .filter((topic) => topic.length >= 3);
  const unique = [...new Set(topics)].slice(0, limit);
  return unique.length > 0 ? unique : ['your goal'];
}
