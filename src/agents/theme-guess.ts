/**
 * Suggests a campaign theme for a citizen's words: the theme whose configured keywords, name and
 * description share the most with the text. Only a suggestion shown to the agent, who still chooses.
 */
import type { Theme } from '../infra/config.js';

const bigrams = (text: string): Set<string> => {
  const han = text.replace(/[^\p{Script=Han}]+/gu, '|');
  const out = new Set<string>();
  for (const part of han.split('|')) for (let i = 0; i + 1 < part.length; i++) out.add(part.slice(i, i + 2));
  return out;
};

/** Terms too common in suggestions to say anything about a theme. */
const STOP = new Set(['建议', '发展', '推进', '建设', '领域', '重点', '积极', '加强', '提高', '我们', '进一', '一步']);

/** The best theme for `text`, or undefined when none stands out (fewer than two shared terms, or a tie). */
export function guessTheme(text: string, themes: readonly Theme[]): Theme | undefined {
  const words = bigrams(text);
  const scored = themes
    .map((t) => {
      let score = 0;
      for (const b of bigrams(`${t.name} ${t.description}`)) if (!STOP.has(b) && words.has(b)) score++;
      // A configured keyword is a stronger hint than a shared pair of characters.
      for (const k of t.keywords ?? []) if (text.includes(k)) score += 2;
      return { t, score };
    })
    .sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  if (!best || best.score < 2 || (second && second.score === best.score)) return undefined;
  return best.t;
}
