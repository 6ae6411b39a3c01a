/**
 * Features for the scope model: character n-grams (1–3) of the normalised text with begin/end markers,
 * plus a few coarse shape features (length bucket, question mark, first-person pronouns). Chinese needs
 * no word segmenter for this. Shared by the training script and the classifier, so both see the same.
 */
import { compactText, hanCount, normalizeText } from './text-normalize.js';

/** Digits collapse to one symbol: a phone number or a date is not a topic. */
function prepare(text: string): string {
  return normalizeText(text)
    .replace(/https?:\/\/\S+/g, 'Ｕ')
    .replace(/\d+/g, '0')
    .replace(/[a-z]+/g, (w) => (w.length > 12 ? 'Ｌ' : w))
    .replace(/[，,、]/g, '，')
    .replace(/[。.！!？?；;]+/g, (m) => (/[？?]/.test(m) ? '？' : '。'))
    .replace(/\s+/g, ' ');
}

/** The feature strings of one message (with repeats: counts matter). */
export function scopeFeatures(text: string): string[] {
  const s = `^${prepare(text)}$`;
  const chars = [...s];
  const feats: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c1 = chars[i] ?? '';
    if (c1 !== ' ' && c1 !== '^' && c1 !== '$') feats.push(c1);
    const c2 = chars[i + 1];
    if (c2 !== undefined) {
      feats.push(c1 + c2);
      const c3 = chars[i + 2];
      if (c3 !== undefined) feats.push(c1 + c2 + c3);
    }
  }
  const han = hanCount(compactText(text));
  const bucket = han <= 4 ? 'L0' : han <= 10 ? 'L1' : han <= 25 ? 'L2' : han <= 60 ? 'L3' : 'L4';
  feats.push(`#len:${bucket}`);
  if (/[?？吗呢]$|[?？]/.test(text)) feats.push('#q');
  const mine = (text.match(/我家|我的|我们家|我爸|我妈|我老公|我老婆|我儿子|我女儿|本人/g) ?? []).length;
  if (mine > 0) feats.push(mine > 1 ? '#mine2' : '#mine1');
  if (/建议|希望|提议|呼吁/.test(text)) feats.push('#advise');
  return feats;
}
