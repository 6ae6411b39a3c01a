/**
 * Text normalisation shared by the judgement functions: full-width forms to ASCII (NFKC), one space for
 * runs of whitespace, Latin letters lower-cased. Chinese characters are left as they are.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Text with every whitespace, punctuation mark and emoji removed: the "meaningful characters". */
export function compactText(text: string): string {
  return normalizeText(text).replace(/[\s\p{P}\p{S}\p{Cf}\p{M}]/gu, '');
}

/** Counts Han characters. */
export function hanCount(text: string): number {
  let n = 0;
  for (const ch of text) if (/\p{Script=Han}/u.test(ch)) n++;
  return n;
}

/**
 * Splits a text into sentences at Chinese/ASCII sentence ends (。！？!?；; and line breaks).
 * Empty pieces are dropped.
 */
export function splitSentences(text: string): string[] {
  return text
    .normalize('NFKC')
    .split(/[。！？!?；;\n]+|\.(?=\s|$)/u)
    .map((s) => s.trim())
    .filter((s) => s.replace(/[\s\p{P}\p{S}]/gu, '').length > 0);
}
