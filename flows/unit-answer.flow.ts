/**
 * A unit member answers a suggestion in the app conversation (答复 WZ2021-000001): the outcome (采纳,
 * 部分采纳, 暂不采纳 — with the reason the seed asks for — or 留作参考), the answer text, a confirmation.
 * The commands around it (待办, 受理, 退回) are read by `parseUnitCommand`.
 */
import { outcomeNames, outcomeOrder, unitFlowTexts, type AnswerOutcome } from './texts/handling.js';
import { pickOption, type HandlingFlow } from './handling-flow-types.js';

const outcomeOptions = outcomeOrder.map((id) => ({ id, label: outcomeNames[id] }));
const confirmOptions = [
  { id: 'confirm', label: unitFlowTexts.confirmOptions.confirm },
  { id: 'cancel', label: unitFlowTexts.confirmOptions.cancel },
] as const;
const substance = (t: string) => t.replace(/[^\p{Script=Han}A-Za-z0-9]/gu, '').length;

export const unitAnswerFlow: HandlingFlow = {
  id: 'unit-answer',
  version: 1,
  finish: 'answer',
  start: (d) => (d.outcome ? (d.outcome === 'not_adopted' ? 'reason' : 'text') : 'outcome'),
  steps: [
    {
      id: 'outcome',
      key: 'outcome',
      prompt: (d) => ({ text: unitFlowTexts.askOutcome(d.reference ?? '', d.title ?? '', d.excerpt ?? ''), options: outcomeOptions }),
      parse: (text, optionId) => {
        const v = pickOption(text, optionId, outcomeOptions);
        return v ? { ok: true, value: v } : { ok: false, reply: unitFlowTexts.invalidOutcome };
      },
      next: (d) => (d.outcome === 'not_adopted' ? 'reason' : 'text'),
    },
    {
      id: 'reason',
      key: 'reason',
      prompt: () => ({ text: unitFlowTexts.askReason }),
      parse: (text) => (substance(text) >= 10 ? { ok: true, value: text.trim() } : { ok: false, reply: unitFlowTexts.reasonTooShort }),
      next: () => 'text',
    },
    {
      id: 'text',
      key: 'text',
      prompt: () => ({ text: unitFlowTexts.askText }),
      parse: (text) => (substance(text) >= 10 ? { ok: true, value: text.trim() } : { ok: false, reply: unitFlowTexts.textTooShort }),
      next: () => 'confirm',
    },
    {
      id: 'confirm',
      key: 'confirmed',
      prompt: (d) => ({
        text: unitFlowTexts.confirm({ reference: d.reference ?? '', outcome: outcomeNames[d.outcome as AnswerOutcome] ?? '', text: d.text ?? '', ...(d.reason ? { reason: d.reason } : {}) }),
        options: [...confirmOptions],
      }),
      parse: (text, optionId) => {
        const v = pickOption(text, optionId, confirmOptions) ?? (['确定', '发送', '是'].includes(text.trim()) ? 'confirm' : undefined);
        return v ? { ok: true, value: v } : { ok: false, reply: unitFlowTexts.confirm({ reference: '', outcome: '', text: '' }).split('\n').pop()! };
      },
      next: (d) => (d.confirmed === 'confirm' ? 'done' : 'cancelled'),
    },
  ],
};

/** What a unit member's message asks for, outside (or instead of) a running answer. */
export type UnitCommand =
  | { kind: 'answer'; reference?: string; outcome?: AnswerOutcome }
  | { kind: 'accept'; reference?: string }
  | { kind: 'return'; reference?: string; reason: string }
  | { kind: 'todo' }
  | { kind: 'help' }
  | { kind: 'cancel' };

const REF = /([A-Za-z]{1,6}\d{4}-\d{6,})/;

/**
 * Reads `答复 WZ2021-000001 [采纳]`, `受理 WZ…`, `退回 WZ… 理由`, `待办`, `帮助`, `取消`.
 * @example parseUnitCommand('退回 WZ2021-000003 不属于本单位职责') // { kind: 'return', reference: 'WZ2021-000003', reason: '不属于本单位职责' }
 */
export function parseUnitCommand(text: string): UnitCommand | undefined {
  const t = text.normalize('NFKC').trim();
  const ref = REF.exec(t)?.[1]?.toUpperCase();
  const rest = t.replace(REF, '').replace(/^\S+/, '').trim();
  if (/^(答复|回复建议|办理答复)/.test(t)) {
    const outcome = outcomeOrder.find((o) => rest.startsWith(outcomeNames[o]) && !rest.startsWith(`${outcomeNames[o]}采纳`));
    return { kind: 'answer', ...(ref ? { reference: ref } : {}), ...(outcome ? { outcome } : {}) };
  }
  if (/^受理/.test(t)) return { kind: 'accept', ...(ref ? { reference: ref } : {}) };
  if (/^退回/.test(t)) return { kind: 'return', ...(ref ? { reference: ref } : {}), reason: rest };
  if (/^(待办|待办件|我的待办|列表)$/.test(t)) return { kind: 'todo' };
  if (/^(帮助|help|\?|菜单)$/i.test(t)) return { kind: 'help' };
  if (/^(取消|算了|退出)$/.test(t)) return { kind: 'cancel' };
  return undefined;
}
