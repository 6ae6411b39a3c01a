/**
 * The agents' flow (信访代理员): proxy entry (代理录入) of a citizen's suggestion, or the agent's own one.
 *
 * mode → speaker → theme → title → category → proposal → feasibility → identity → consent → confirm.
 * A forwarded chat record or a message starting with 代录 seeds a proxy draft: the citizen's lines (not
 * the agent's) become the proposal, checked on arrival with the same quality coaching and scope judgement
 * as a citizen's; names, phones and units in the record are offered as the proposer's details; a theme is
 * suggested. Before the confirmation the agent states the citizen's consent (委托), stored with its time.
 * The steps shared with citizens come from citizen-suggestion.flow.ts; the wording lives in texts/agent.ts.
 */
import type { ReplyOption } from '../src/domain/messages.js';
import type { FlowContext, FlowDefinition, IntakeSeed, Step } from '../src/conversation/flow-schema.js';
import type { Session } from '../src/conversation/session.js';
import { citizenWords, looksLikeName, pastedRecord, proxyPaste, readRecord, recordUnit, type RecordLine } from '../src/agents/forwarded-record.js';
import { guessTheme } from '../src/agents/theme-guess.js';
import { categoryOf, citizenSuggestionFlow, draftSubmission, reviewOptions, summaryLines, themeOptions } from './citizen-suggestion.flow.js';
import { agentTexts } from './texts/agent.js';
import { categoryTexts } from './texts/categories.js';
import { prompts } from './texts/prompts.js';

const shared = (id: string): Step => {
  const s = citizenSuggestionFlow.steps.find((x) => x.id === id);
  if (!s) throw new Error(`citizen-suggestion has no step ${id}`);
  return s as Step;
};

// ---- what the session keeps -------------------------------------------------------------------------
// answers.mode: 'proxy' | 'own'; answers.record: JSON [[sender, text], …] of the record's lines;
// answers.candidates / agentSenders: JSON string arrays; answers.citizenSpeaker; answers.themeGuess;
// answers.consentAt: ISO time the agent stated the citizen's consent.

const isProxy = (s: Session) => s.answers.mode === 'proxy';
const json = <T>(v: string | undefined, fallback: T): T => {
  if (!v) return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};
const recordLines = (s: Session): RecordLine[] => json<[string, string][]>(s.answers.record, []).map(([sender, text]) => ({ sender, text, time: 0 }));
const candidates = (s: Session): string[] => json<string[]>(s.answers.candidates, []);
const agentSenders = (s: Session): string[] => json<string[]>(s.answers.agentSenders, []);


// ---- intake -----------------------------------------------------------------------------------------

/** A record (or a pasted 代录 text) as a proxy draft's first answers. */
function seedFromLines(lines: RecordLine[], agentOwn: string[], cands: string[]): Record<string, string> {
  return {
    mode: 'proxy',
    record: JSON.stringify(lines.map((l) => [l.sender, l.text])),
    candidates: JSON.stringify(cands),
    agentSenders: JSON.stringify(agentOwn),
  };
}

const seed = (message: { text: string; forwarded?: { title?: string; items: RecordLine[] } }, ctx: FlowContext): IntakeSeed => {
  const agent = ctx.agent;
  const who = agent ? { name: agent.name, id: agent.id } : undefined;
  const pasted = proxyPaste(message.text);
  // A chat pasted after 代录 (`李四：… / 王五：…`) is read like a forwarded record.
  const forwarded = message.forwarded ?? (pasted ? pastedRecord(pasted, who) : undefined);
  if (forwarded) {
    const r = readRecord(forwarded, who);
    if (!r.lines.length) return { answers: { mode: 'proxy' }, notice: `${agentTexts.recordReceived(0, [], r.skipped)}\n${agentTexts.proxyStart}` };
    // Nobody but the agent spoke (or everyone looks like the agent): let the agent pick from all senders.
    const cands = r.candidates.length ? r.candidates : r.senders;
    return { answers: seedFromLines(r.lines, r.candidates.length ? r.agentSenders : [], cands), notice: agentTexts.recordReceived(r.lines.length, r.senders, r.skipped) };
  }
  if (pasted !== undefined) {
    if (!pasted) return { answers: { mode: 'proxy' }, notice: agentTexts.proxyStart };
    const lines = [{ sender: agentTexts.pastedSender, time: 0, text: pasted }];
    return { answers: seedFromLines(lines, [], [agentTexts.pastedSender]), notice: agentTexts.pasteReceived };
  }
  return { notice: agentTexts.welcome(agent?.name ?? '') };
};

// ---- the speaker: whose lines are the citizen's -------------------------------------------------------

function speakerOptions(s: Session): ReplyOption[] {
  return candidates(s).map((name, i) => ({ id: `speaker${i + 1}`, label: name }));
}
const speakerName = (id: string, s: Session) => speakerOptions(s).find((o) => o.id === id)?.label ?? '';

/** A line that gives someone's details (a phone number, or 我叫/姓名/单位…), not just any sentence. */
const IDENTITY_CUE = /(我叫|我姓|我是|姓名|名字|建议人|联系人|单位|电话|手机)/;

/**
 * The proposer's details found in the record: the citizen's own lines first, then the agent's. Only
 * lines that give details count (a phone number or a cue such as 我叫), so a sentence of the proposal
 * is never taken for a unit; without a name, a sender name that is a full name is offered.
 */
function detailsFromRecord(s: Session, speaker: string, ctx: FlowContext): Record<string, string> {
  const lines = recordLines(s);
  const ordered = [...lines.filter((l) => l.sender === speaker), ...lines.filter((l) => l.sender !== speaker)];
  const out: Record<string, string> = {};
  for (const l of ordered) {
    const found = ctx.judge.extractIdentity(l.text);
    const unit = recordUnit(l.text, found.unit);
    if (!found.phone && !unit && !IDENTITY_CUE.test(l.text)) continue;
    const values = { name: found.name, phone: found.phone, unit };
    for (const key of ['name', 'phone', 'unit'] as const) {
      const v = values[key];
      if (v && out[key] === undefined) out[key] = v;
    }
  }
  if (out.name === undefined && looksLikeName(speaker)) out.name = speaker;
  const words = citizenWords({ lines }, speaker);
  const theme = ctx.campaign ? guessTheme(words, ctx.campaign.themes) : undefined;
  if (theme) out.themeGuess = theme.id;
  return { citizenSpeaker: speaker, ...out };
}

// ---- steps ------------------------------------------------------------------------------------------

const theme = shared('theme');
const proposal = shared('proposal');
const feasibility = shared('feasibility');
const identity = shared('identity');
if (identity.kind !== 'fields') throw new Error('citizen-suggestion identity must be a fields step');

export const agentProxyFlow = {
  id: 'agent-proxy',
  version: 1,
  start: 'mode',
  // prefillKey: the citizen's words pasted ahead of the proposal step are kept for it.
  intake: { judgeScope: false, prefillKey: 'proposal', seed },
  resumeReminderAfterMinutes: 120,
  steps: [
    {
      id: 'mode',
      kind: 'choice',
      label: '录入方式',
      answerKey: 'mode',
      prompt: () => ({ text: agentTexts.mode, options: modeOptions() }),
      options: () => modeOptions(),
      skipIf: (s) => s.answers.mode !== undefined,
      // The agent's own suggestion: they are the proposer.
      alsoRecord: (id, _s, ctx) =>
        id === 'own' && ctx.agent ? { name: ctx.agent.name, unit: ctx.agent.unitName, ...(ctx.agent.phone ? { phone: ctx.agent.phone } : {}) } : {},
      invalidReply: agentTexts.modeInvalid,
      next: 'speaker',
    },
    {
      id: 'speaker',
      kind: 'choice',
      label: '建议人发言',
      answerKey: 'speaker',
      prompt: (s) => ({ text: agentTexts.speaker(agentSenders(s)), options: speakerOptions(s) }),
      options: (s) => speakerOptions(s),
      skipIf: (s) => !isProxy(s) || !s.answers.record,
      autoSelectSingle: true,
      autoNote: (s) => {
        const name = speakerName('speaker1', s);
        // Count the lines that went into the proposal (contact-only lines go to the proposer's details).
        const used = citizenWords({ lines: recordLines(s) }, name).split('\n').filter(Boolean).length;
        return agentTexts.speakerChosen(name, used, agentSenders(s));
      },
      alsoRecord: (id, s, ctx) => detailsFromRecord(s, speakerName(id, s), ctx),
      alsoPrefill: (id, s): Record<string, string> => {
        const words = citizenWords({ lines: recordLines(s) }, speakerName(id, s));
        return words ? { proposal: words } : {};
      },
      invalidReply: agentTexts.speakerInvalid,
      next: 'theme',
    },
    {
      ...theme,
      prompt: (s: Session, ctx: FlowContext) => {
        const options = themeOptions(s, ctx);
        const found = [s.answers.name && `姓名 ${s.answers.name}`, s.answers.phone && `电话 ${s.answers.phone}`, s.answers.unit && `单位 ${s.answers.unit}`].filter(
          (x): x is string => !!x,
        );
        const lines: string[] = [];
        if (isProxy(s) && found.length) lines.push(agentTexts.detailsFound(found));
        lines.push(prompts.theme);
        const guess = s.answers.themeGuess ? options.findIndex((o) => o.id === s.answers.themeGuess) : -1;
        if (guess >= 0) lines.push(agentTexts.themeGuess(options[guess]!.label, guess + 1));
        return { text: lines.join('\n'), options };
      },
    } as Step,
    shared('title'),
    shared('category'),
    {
      ...proposal,
      prompt: (s: Session, ctx: FlowContext) => {
        if (!isProxy(s)) return proposal.prompt(s, ctx);
        const c = categoryOf(s);
        return { text: agentTexts.proposal(c ? categoryTexts[c].requirement : undefined) };
      },
    } as Step,
    {
      ...feasibility,
      prompt: (s: Session, ctx: FlowContext) => (isProxy(s) ? { text: agentTexts.feasibility } : feasibility.prompt(s, ctx)),
    } as Step,
    {
      ...identity,
      prompt: () => ({ text: agentTexts.identityIntro }),
      fields: identity.fields.map((f) => ({ ...f, ask: f.key === 'name' ? agentTexts.askName : f.key === 'phone' ? agentTexts.askPhone : agentTexts.askUnit })),
      next: 'consent',
    } as Step,
    {
      id: 'consent',
      kind: 'choice',
      label: '委托确认',
      answerKey: 'consent',
      prompt: (s) => ({ text: agentTexts.consent(s.answers.name ?? ''), options: consentOptions() }),
      options: () => consentOptions(),
      skipIf: (s) => !isProxy(s),
      alsoRecord: (_id, _s, ctx) => ({ consentAt: ctx.now.toISOString() }),
      invalidReply: agentTexts.consentInvalid,
      // What agents type for yes besides 1 (是 was refused eleven times in one trial).
      synonyms: { consent: agentTexts.consentWords },
      next: 'confirm',
    },
    {
      id: 'confirm',
      kind: 'review',
      label: '核对',
      prompt: (s, ctx) => ({
        text: [
          agentTexts.review,
          ownerLine(s, ctx),
          ...summaryLines(s, ctx),
          ...(isProxy(s) && s.answers.consentAt ? [agentTexts.consentLine(localTime(s.answers.consentAt, ctx))] : []),
          prompts.reviewFooter,
        ].join('\n'),
        options: reviewOptions(),
      }),
      build: (s, ctx) => {
        const proxied = isProxy(s) && ctx.agent && s.answers.consentAt;
        return {
          // Follow-ups of a proxied suggestion go to the agent's channel (ctx.citizen): the agent passes them on.
          ...draftSubmission(s, ctx),
          ...(proxied ? { enteredBy: { agent: ctx.agent!.id, unit: ctx.agent!.unit, consentAt: new Date(s.answers.consentAt!) } } : {}),
        };
      },
      editable: ['theme', 'title', 'category', 'proposal', 'feasibility', 'name', 'phone', 'unit'],
      next: 'submitted',
    },
    { id: 'submitted', kind: 'end', label: '已提交', state: 'submitted', prompt: () => ({ text: '' }) },
  ],
} satisfies FlowDefinition;

function modeOptions(): ReplyOption[] {
  return [
    { id: 'proxy', label: agentTexts.modeLabels.proxy },
    { id: 'own', label: agentTexts.modeLabels.own },
  ];
}

function consentOptions(): ReplyOption[] {
  return [{ id: 'consent', label: agentTexts.consentLabel }];
}

function ownerLine(s: Session, ctx: FlowContext): string {
  const agent = ctx.agent;
  if (isProxy(s)) return agentTexts.owner.proxy(s.answers.name ?? '', agent?.unitName ?? '', agent?.name ?? '');
  return agentTexts.owner.own(s.answers.name ?? '');
}

function localTime(iso: string, ctx: FlowContext): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: ctx.config.service.timezone,
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}
