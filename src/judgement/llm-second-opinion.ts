/**
 * An optional second opinion on scope from a language model behind an OpenAI-compatible chat-completions
 * endpoint (what on-premise Qwen or DeepSeek deployments serve). Off unless LLM_BASE_URL is set.
 *
 * - Consulted only for messages the local model is unsure about (`unsure` verdicts).
 * - Phone numbers and names are masked before anything leaves the process.
 * - The answer must be JSON matching a zod schema; anything else, an HTTP error or the strict timeout
 *   leaves the local decision in place.
 * - Every call and every disagreement with the local verdict is reported (`onCall`, `onDisagreement`),
 *   which main.ts turns into `/metrics` counters.
 *
 * The only module of src/judgement that does I/O; the conversation receives it as a port
 * (`ConversationDeps.secondOpinion`) and never imports it.
 */
import { request } from 'undici';
import { z } from 'zod';
import { maskPhones } from '../infra/logger.js';
import type { OutOfScopeKind, ScopeVerdict } from './judgement-types.js';

export interface SecondOpinionOptions {
  /** Base URL of the OpenAI-compatible API, e.g. http://llm.internal.example:8000/v1 (the path /chat/completions is added). */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Strict timeout of one call, in milliseconds. */
  timeoutMs: number;
  /** Each call's outcome: `ok` (a valid answer), `timeout`, `http_error`, `invalid` (unusable answer). */
  onCall?: (result: 'ok' | 'timeout' | 'http_error' | 'invalid') => void;
  /** A valid answer that differs from the local verdict's side (in scope or not). */
  onDisagreement?: () => void;
}

export interface SecondOpinion {
  /** The verdict to use for `text`: the model's when the local one was unsure and it answered validly. */
  consult(text: string, local: ScopeVerdict): Promise<ScopeVerdict>;
}

const KINDS = ['suggestion', 'complaint', 'petition', 'consultation', 'tipoff', 'help', 'chitchat', 'spam', 'abuse'] as const;

/** What the model must answer (the content of its message, as JSON). */
export const secondOpinionAnswer = z.object({
  kind: z.enum(KINDS),
  confidence: z.number().min(0).max(1),
});

/** The answer is used only from this confidence; below it the bot still asks. */
const MIN_CONFIDENCE = 0.7;

const SYSTEM_PROMPT = [
  '你是区人民建议征集平台的分类助手。判断群众发来的第一条消息属于哪一类，只输出JSON：{"kind": 类别, "confidence": 0到1}。',
  '类别：suggestion（对公共事务提出的意见建议）、complaint（投诉、反映问题要求处理）、petition（个人诉求，为自己或家人要求解决、照顾、补偿，即使用了“建议”二字）、',
  'consultation（咨询政策或办事）、tipoff（举报、检举他人）、help（紧急求助：火灾、落水、塌方、被困、受伤等）、chitchat（闲聊、问候）、spam（广告、无意义）、abuse（辱骂）。',
].join('');

/**
 * Masks what identifies a person: phone numbers, and a name after 我叫/我是/姓名/联系人 or before a
 * phone number ("张三，138…").
 */
export function maskPersonal(text: string): string {
  return maskPhones(text)
    .replace(/(我叫|我是|姓名[:：]?|联系人[:：]?|名字叫|本人)\s*([\p{Script=Han}]{2,3})(?=[，,。\s]|$|\d)/gu, '$1某某')
    .replace(/([\p{Script=Han}]{2,3})(?=[，,\s]*1\d\*{4}|[，,\s]*1\d{2}\*{4})/gu, '某某');
}

const isIn = (v: ScopeVerdict) => v.kind === 'suggestion' || v.kind === 'start';

function toVerdict(a: z.infer<typeof secondOpinionAnswer>): ScopeVerdict {
  return a.kind === 'suggestion' ? { kind: 'suggestion', confidence: a.confidence } : { kind: 'out_of_scope', category: a.kind as OutOfScopeKind, confidence: a.confidence };
}

/** Builds the adapter. */
export function createSecondOpinion(opts: SecondOpinionOptions): SecondOpinion {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const report = (r: Parameters<NonNullable<SecondOpinionOptions['onCall']>>[0]) => opts.onCall?.(r);
  return {
    async consult(text, local) {
      if (local.kind !== 'unsure') return local;
      let body: unknown;
      try {
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
          body: JSON.stringify({
            model: opts.model,
            temperature: 0,
            response_format: { type: 'json_object' },
            messages: [
              { role: 'system', content: SYSTEM_PROMPT },
              { role: 'user', content: maskPersonal(text) },
            ],
          }),
          signal: AbortSignal.timeout(opts.timeoutMs),
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        });
        if (res.statusCode !== 200) {
          await res.body.dump();
          report('http_error');
          return local;
        }
        body = await res.body.json();
      } catch (err) {
        const name = (err as { name?: string }).name ?? '';
        report(/Timeout|Abort/i.test(name) || /timeout/i.test(String((err as { code?: string }).code ?? '')) ? 'timeout' : 'http_error');
        return local;
      }
      const content = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) }).safeParse(body);
      if (!content.success) {
        report('invalid');
        return local;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(content.data.choices[0]!.message.content.replace(/^```(json)?|```$/g, '').trim());
      } catch {
        report('invalid');
        return local;
      }
      const answer = secondOpinionAnswer.safeParse(parsed);
      if (!answer.success) {
        report('invalid');
        return local;
      }
      report('ok');
      const verdict = toVerdict(answer.data);
      // The model disagrees when it puts the message on the other side than the local model leaned (its
      // in-scope probability), or names a kind the local model did not offer as a candidate.
      const localLeansIn = local.confidence >= 0.5;
      const otherKind = verdict.kind === 'out_of_scope' && !local.candidates.includes(verdict.category);
      if (isIn(verdict) !== localLeansIn || otherKind) opts.onDisagreement?.();
      if (answer.data.confidence < MIN_CONFIDENCE) return local;
      // Spam, abuse and emergencies are the local rules' to call; the model may not turn a torn message into them.
      if (verdict.kind === 'out_of_scope' && (verdict.category === 'spam' || verdict.category === 'abuse' || verdict.category === 'help')) return local;
      return verdict;
    },
  };
}
