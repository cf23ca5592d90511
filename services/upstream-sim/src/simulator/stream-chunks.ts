/** Splits an answer into streaming deltas, one word each with its leading space, so the deltas join back exactly. */
export function splitIntoStreamChunks(content: string): string[] {
  if (content === '') return [];
  return content.split(/(?= )/);
}
