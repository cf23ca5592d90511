// Greetings and politeness wrapped around a question; removed before a question is embedded or
// described for verification, so "Can you explain recursion?" and "Explain recursion" compare equal.
// Only prefixes and a trailing "please": anything inside the question is left alone.
const LEADING_FRAMING: readonly RegExp[] = [
  /^(?:hi|hello|hey)(?:\s+there)?[\s,!.:;-]+/i,
  /^(?:ok|okay|so|well)[\s,!.:;-]+/i,
  /^quick question[\s,!.:;-]*/i,
  /^(?:please|kindly)[\s,]+/i,
  /^(?:can|could|would|will)\s+you\s+(?:please\s+)?(?=\S)/i,
  /^tell\s+me[\s,]+(?=\S)/i,
  /^i\s+(?:want|would\s+like|need)\s+to\s+know[\s,]+(?=\S)/i,
  /^i\s+was\s+wondering[\s,]+(?=\S)/i,
];
const TRAILING_PLEASE = /[\s,]+please[\s.!?]*$/i;

/** The question a user message asks, without the greeting and politeness around it. */
export function questionText(message: string): string {
  let text = message.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const pattern of LEADING_FRAMING) {
      const stripped = text.replace(pattern, '');
      if (stripped !== text && stripped.trim() !== '') {
        text = stripped;
        changed = true;
      }
    }
  }
  const trimmed = text.replace(TRAILING_PLEASE, '');
  return trimmed.trim() === '' ? text : trimmed;
}
