/**
 * The citizen's suggestion flow: theme → title → category → proposal → feasibility → identity → confirm
 * → submitted. Data plus small named parsers and checks; the wording lives in flows/texts.
 */
import type { ReplyOption } from '../src/domain/messages.js';
import type { Check, FlowContext, FlowDefinition, Parser } from '../src/conversation/flow-schema.js';
import type { Session } from '../src/conversation/session.js';
import type { SuggestionCategory, SuggestionSubmission } from '../src/domain/suggestion-types.js';
import { SCOPE_SCREENING_FLAG } from '../src/judgement/draft-judgement.js';
import { categoryOrder, categoryTexts } from './texts/categories.js';
import { feasibilityCoaching, identityCoaching, insistHint, proposalCoaching, titleCoaching } from './texts/coaching.js';
import { examples, optionLabels, prompts } from './texts/prompts.js';
import { summaryLine } from './texts/system.js';
import { checkName } from '../src/judgement/identity-parser.js';

/** True when an answer is one of the seed's four kinds (not 不确定). */
export const isCategory = (v: string | undefined): v is SuggestionCategory => !!v && (categoryOrder as string[]).includes(v);
/** The draft's category, when one of the four kinds was chosen. */
export const categoryOf = (s: Session): SuggestionCategory | undefined => (isCategory(s.answers.category) ? s.answers.category : undefined);

// ---- theme -----------------------------------------------------------------------------------------

/** The active campaign's themes, then the year-round 日常建议. Outside a campaign window only 日常建议. */
export function themeOptions(_s: Session, ctx: FlowContext): ReplyOption[] {
  const campaign = ctx.campaign;
  const themed = campaign ? campaign.themes.map((t) => ({ id: t.id, label: t.name })) : [];
  return [...themed, { id: ctx.config.generalTheme.id, label: ctx.config.generalTheme.name }];
}

/** A theme id's name, in any campaign or the general theme (the id itself when unknown). */
export function themeName(id: string, ctx: FlowContext): string {
  if (id === ctx.config.generalTheme.id) return ctx.config.generalTheme.name;
  for (const c of ctx.config.campaigns) for (const t of c.themes) if (t.id === id) return t.name;
  return id;
}

// ---- parsers and checks ----------------------------------------------------------------------------

const parseTitle: Parser = (text) => {
  // 万州区 建议 关于…的建议: what stands apart before 关于 is not part of the title.
  const t = text.trim().replace(/^[^\n]{1,10}?[\s，,：:]+(?=关于.{4,}(建议|意见|提议)$)/u, '');
  if (/\n/.test(t)) return { ok: false, reason: 'multiline', reply: titleCoaching.multiline };
  if ([...t.replace(/\s/g, '')].length < 4) return { ok: false, reason: 'too_short', reply: titleCoaching.tooShort };
  return { ok: true, value: t };
};

/**
 * A proposal that reads well must still be a suggestion: the written draft is judged again
 * (src/judgement/draft-judgement.ts), also after the citizen pressed 提建议. A petition, an accusation or one's own case is referred; when
 * unsure the engine asks, and if the citizen chose 提建议 it is submitted flagged for screening.
 */
const proposalInScope: Check = (value, _s, ctx) => {
  const v = ctx.judge.judgeDraft(value, { judgeScope: ctx.judge.judgeScope });
  switch (v.kind) {
    case 'proceed':
      return { ok: true };
    case 'refer': {
      // Whether it stays referred if the citizen answers 提建议 (a petition, an accusation, one's own case…).
      const chosen = ctx.judge.judgeDraft(value, { judgeScope: ctx.judge.judgeScope, citizenChose: true });
      return { ok: false, kind: 'out_of_scope', category: v.category, referral: v.referral, final: chosen.kind === 'refer', flag: SCOPE_SCREENING_FLAG };
    }
    case 'ask':
      return { ok: false, kind: 'unsure', candidates: v.candidates, flag: SCOPE_SCREENING_FLAG };
    case 'screen':
      return { ok: false, kind: 'unsure', candidates: v.candidates, flag: v.flag };
  }
};

/** The proposal must be specific enough to be handled (the seed: 针对性、可行性、实用性). */
const proposalQuality: Check = (value, s, ctx) => {
  const category = categoryOf(s);
  const opts: { category?: SuggestionCategory; title?: string } = {};
  if (category) opts.category = category;
  if (s.answers.title) opts.title = s.answers.title;
  const v = ctx.judge.coachQuality(value, opts);
  if (v.ok) return { ok: true };
  const reply = proposalCoaching(v.problem, category, v.domain);
  return { ok: false, kind: 'coach', reason: v.problem, reply: v.soft ? `${reply}\n${insistHint}` : reply, soft: v.soft, ...(v.matters ? { parts: v.matters } : {}) };
};

const feasibilitySubstance: Check = (value) => {
  const han = value.replace(/[^\p{Script=Han}A-Za-z0-9]/gu, '').length;
  // A citizen may not know more (村民都同意了): coached once, and may insist; it does not hold the suggestion.
  return han >= 8 ? { ok: true } : { ok: false, kind: 'coach', reason: 'too_short', reply: `${feasibilityCoaching.tooShort}\n${insistHint}`, soft: true };
};

const parseName: Parser = (text) => {
  const v = checkName(text);
  return v.ok ? { ok: true, value: v.value } : { ok: false, reason: v.reason, reply: identityCoaching.name[v.reason] };
};

const parsePhoneField: Parser = (text, _s, ctx) => {
  const r = ctx.judge.parsePhone(text);
  return r.ok ? { ok: true, value: r.value } : { ok: false, reason: r.reason, reply: identityCoaching.phone(r.reason) };
};

const parseUnit: Parser = (text) => {
  const t = text.trim();
  if (!t || /^\d+$/.test(t)) return { ok: false, reason: 'invalid', reply: identityCoaching.unitInvalid };
  return { ok: true, value: t };
};

// ---- the flow --------------------------------------------------------------------------------------

export const citizenSuggestionFlow = {
  id: 'citizen-suggestion',
  version: 1,
  start: 'theme',
  intake: { judgeScope: true, prefillKey: 'proposal' },
  resumeReminderAfterMinutes: 120,
  steps: [
    {
      id: 'theme',
      kind: 'choice',
      label: '主题',
      answerKey: 'theme',
      prompt: (s, ctx) => ({ text: prompts.theme, options: themeOptions(s, ctx) }),
      options: themeOptions,
      optionWords: (_s, ctx) => Object.fromEntries([...(ctx.campaign?.themes ?? []), ctx.config.generalTheme].map((t) => [t.id, t.aliases])),
      autoSelectSingle: true,
      autoNote: (_s, ctx) => prompts.generalOnly(ctx.config.generalTheme.name),
      alsoRecord: (id, _s, ctx) => ({
        campaign: id === ctx.config.generalTheme.id ? 'general' : (ctx.campaign?.id ?? 'general'),
      }),
      display: themeName,
      invalidReply: prompts.themeInvalid,
      example: examples.theme,
      next: 'title',
    },
    {
      id: 'title',
      kind: 'text',
      label: '标题',
      answerKey: 'title',
      limit: 'titleMaxChars',
      prompt: () => ({ text: prompts.title }),
      parse: parseTitle,
      example: examples.title,
      next: 'category',
    },
    {
      id: 'category',
      kind: 'choice',
      label: '类别',
      aliases: ['类型', '分类'],
      answerKey: 'category',
      suggested: (s, ctx) => ctx.judge.inferCategory(`${s.answers.title ?? ''} ${s.prefill?.proposal ?? ''}`),
      prompt: (s, ctx) => {
        const guess = ctx.judge.inferCategory(`${s.answers.title ?? ''} ${s.prefill?.proposal ?? ''}`);
        const text = guess
          ? `${prompts.category}${prompts.categoryGuess(categoryTexts[guess].name, categoryOrder.indexOf(guess) + 1)}`
          : prompts.category;
        return { text, options: categoryOptions() };
      },
      options: () => categoryOptions(),
      display: (id) => (isCategory(id) ? categoryTexts[id].name : prompts.categoryUnsure),
      invalidReply: prompts.categoryInvalid,
      // 不晓得 is the citizen's 不确定.
      synonyms: { unsure: prompts.categoryUnsureWords },
      example: examples.category,
      next: 'proposal',
    },
    {
      id: 'proposal',
      kind: 'collect',
      label: '建议内容',
      aliases: ['内容', '建议', '正文', '具体内容'],
      answerKey: 'proposal',
      limit: 'proposalMaxChars',
      prompt: (s) => {
        const c = categoryOf(s);
        return { text: prompts.proposal(c ? categoryTexts[c].requirement : undefined) };
      },
      // Quality first: a problem described without a measure is coached into a suggestion before any refusal.
      checks: [proposalQuality, proposalInScope],
      ack: prompts.collected,
      example: examples.proposal,
      next: 'feasibility',
    },
    {
      id: 'feasibility',
      kind: 'collect',
      label: '可行性',
      aliases: ['可行性分析', '可行性说明'],
      answerKey: 'feasibility',
      limit: 'feasibilityMaxChars',
      prompt: () => ({ text: prompts.feasibility }),
      checks: [feasibilitySubstance],
      ack: prompts.collected,
      example: examples.feasibility,
      next: 'identity',
    },
    {
      id: 'identity',
      kind: 'fields',
      label: '个人信息',
      aliases: ['身份', '联系信息', '个人资料'],
      prompt: () => ({ text: prompts.identityIntro }),
      fields: [
        { key: 'name', label: '姓名', aliases: ['名字', '真实姓名'], limit: 'nameMaxChars', ask: prompts.askName, parse: parseName },
        { key: 'phone', label: '联系电话', aliases: ['电话', '手机', '手机号', '联系方式', '号码'], limit: 'messageMaxChars', ask: prompts.askPhone, parse: parsePhoneField },
        { key: 'unit', label: '工作单位', aliases: ['单位'], limit: 'unitMaxChars', ask: prompts.askUnit, parse: parseUnit },
      ],
      extract: (text, ctx) => ({ ...ctx.judge.extractIdentity(text) }),
      example: examples.identity,
      next: 'confirm',
    },
    {
      id: 'confirm',
      kind: 'review',
      label: '核对',
      prompt: (s, ctx) => ({
        text: [prompts.review, ...summaryLines(s, ctx), prompts.reviewFooter].join('\n'),
        options: reviewOptions(),
      }),
      build: draftSubmission,
      editable: ['theme', 'title', 'category', 'proposal', 'feasibility', 'name', 'phone', 'unit'],
      next: 'submitted',
    },
    { id: 'submitted', kind: 'end', label: '已提交', state: 'submitted', prompt: () => ({ text: '' }) },
  ],
} satisfies FlowDefinition;

/** The review's lines for the answers, in the order they were asked. */
export function summaryLines(s: Session, ctx: FlowContext): string[] {
  return [
    summaryLine('主题', s.answers.theme ? themeName(s.answers.theme, ctx) : undefined),
    summaryLine('标题', s.answers.title),
    summaryLine('类别', isCategory(s.answers.category) ? categoryTexts[s.answers.category].name : prompts.categoryUnsure),
    summaryLine('建议内容', s.answers.proposal),
    summaryLine('可行性', s.answers.feasibility),
    summaryLine('姓名', s.answers.name),
    summaryLine('联系电话', s.answers.phone),
    summaryLine('工作单位', s.answers.unit),
  ];
}

/** 确认提交 / 修改 / 取消 under the review. */
export function reviewOptions(): ReplyOption[] {
  return [
    { id: 'submit', label: optionLabels.submit },
    { id: 'edit', label: optionLabels.edit },
    { id: 'cancel', label: optionLabels.cancel },
  ];
}

/** The submission a confirmed draft stores (without its key); follow-ups go to `ctx.citizen`. */
export function draftSubmission(s: Session, ctx: FlowContext): Omit<SuggestionSubmission, 'submissionKey'> {
  const category = categoryOf(s);
  return {
    campaign: s.answers.campaign ?? 'general',
    theme: s.answers.theme ?? ctx.config.generalTheme.id,
    ...(category ? { category } : {}),
    title: s.answers.title ?? '',
    proposal: s.answers.proposal ?? '',
    feasibility: s.answers.feasibility ?? '',
    proposer: { name: s.answers.name ?? '', phone: s.answers.phone ?? '', unit: s.answers.unit ?? '' },
    citizen: ctx.citizen,
    ...(s.qualityFlags.length ? { qualityFlags: [...s.qualityFlags] } : {}),
  };
}

function categoryOptions(): ReplyOption[] {
  return [...categoryOrder.map((c) => ({ id: c, label: categoryTexts[c].name })), { id: 'unsure', label: prompts.categoryUnsure }];
}
