/**
 * Reads the labelled turn corpus (corpus/README.md): one turn per line under a `## <step>` heading,
 * `<label> <text>` or `<label> <text> => <what is kept>`.
 */
import { readFileSync } from 'node:fs';

/** The steps a turn can be typed at (the identity step is split by the field being asked for). */
export const turnSteps = ['theme', 'title', 'category', 'proposal', 'feasibility', 'name', 'phone', 'unit', 'confirm'] as const;
export type TurnStep = (typeof turnSteps)[number];

/** What a turn is. */
export const turnKinds = ['answer', 'question', 'command', 'aside', 'correction', 'out_of_scope'] as const;
export type TurnKind = (typeof turnKinds)[number];

const kindOfCode: Record<string, TurnKind> = { A: 'answer', Q: 'question', C: 'command', F: 'aside', R: 'correction', O: 'out_of_scope' };

export interface LabelledTurn {
  step: TurnStep;
  kind: TurnKind;
  /** The part after the colon: the command, the FAQ id, `done`, the corrected field. */
  sub?: string;
  text: string;
  /** What must be kept of an answer (or the new value of a correction); the text itself when absent. */
  kept?: string;
}

export type CorpusSplit = 'train' | 'heldout';

const corpusUrl = (split: CorpusSplit) => new URL(`./corpus/${split}.txt`, import.meta.url);

/** Parses corpus text; throws naming the line when a line is malformed. */
export function parseTurnCorpus(source: string, name = 'corpus'): LabelledTurn[] {
  const out: LabelledTurn[] = [];
  let step: TurnStep | undefined;
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('# ')) return;
    const heading = /^##\s+(\S+)$/.exec(line);
    if (heading) {
      if (!(turnSteps as readonly string[]).includes(heading[1]!)) throw new Error(`${name}:${i + 1}: unknown step "${heading[1]}"`);
      step = heading[1] as TurnStep;
      return;
    }
    const m = /^([AQCFRO])(?::(\w+))?\s+(.+)$/.exec(line);
    if (!m || !step) throw new Error(`${name}:${i + 1}: expected "<label> <text>" under a "## <step>" heading`);
    const [text, kept] = m[3]!.split(' => ');
    const turn: LabelledTurn = { step, kind: kindOfCode[m[1]!]!, text: text!.replace(/\\n/g, '\n') };
    if (m[2]) turn.sub = m[2];
    if (kept !== undefined) turn.kept = kept;
    out.push(turn);
  });
  return out;
}

const cache = new Map<CorpusSplit, LabelledTurn[]>();

/** The turns of one split (read once). */
export function loadTurnCorpus(split: CorpusSplit): LabelledTurn[] {
  let turns = cache.get(split);
  if (!turns) {
    turns = parseTurnCorpus(readFileSync(corpusUrl(split), 'utf8'), `${split}.txt`);
    cache.set(split, turns);
  }
  return turns;
}
