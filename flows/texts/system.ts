/** Replies of the engine itself: help, commands, scope, the review summary, submission and lookups. */
import type { SuggestionStatus, SuggestionStatusView } from '../../src/domain/suggestion-types.js';
import { attachmentCounts, attachmentTexts } from './attachments.js';

export interface Contact {
  name: string;
  phone: string;
  hours: string;
}

/** Status names a citizen sees. */
export const statusNames: Record<SuggestionStatus, string> = {
  submitted: '已提交，待交办',
  assigned: '已交办承办单位',
  accepted: '承办单位已受理',
  answered: '已办理答复',
  evaluated: '已评价',
  closed: '已办结',
  returned: '重新交办中',
  escalated: '报领导研究中',
  recommended_to_city: '已推荐上报市征集办',
  rejected: '未予受理',
  withdrawn: '已撤回',
};

const date = (d: Date, tz: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: tz, year: 'numeric', month: 'long', day: 'numeric' }).format(d);

export const systemTexts = {
  help: (contact: Contact, current?: string, faq: readonly { question: string }[] = []) =>
    [
      current ? `您正在填写：${current}。直接回复即可继续。` : '发送“我想提建议”即可开始提交一条建议。',
      '常用指令：',
      '· 返回：回到上一步（已填的内容会保留）',
      '· 修改 标题（或内容、电话等）：修改某一项',
      '· 继续：接着填写保存的草稿',
      '· 重新开始：清空后从头填写',
      '· 取消：放弃本次填写',
      '· 查询 编号：查看您提交的建议进度',
      '· 转人工：请工作人员帮您',
      ...(faq.length ? [`常见问题（直接问我就行）：${faq.map((f) => f.question).join(' ')}`] : []),
      `如需人工帮助，请联系${contact.name}，电话${contact.phone}（${contact.hours}）。`,
    ].join('\n'),
  stuck: (example: string | undefined, contact: Contact) =>
    `这一步可能不太好填写，没关系。${example ? `${example}\n` : ''}如需帮助，可回复“帮助”，或联系${contact.name}（电话${contact.phone}，${contact.hours}）。`,
  backAtStart: '已经是第一步了。',
  back: '好的，回到上一步。',
  editAbandoned: '好的，保留原来的内容。',
  cancelAsk: '确定要取消吗？已填写的内容将被删除。',
  restartAsk: '确定要重新开始吗？已填写的内容将被清空。',
  cancelled: '已取消，本次填写的内容已删除。以后有建议，随时发送“我想提建议”。',
  cancelKept: '好的，继续填写。',
  afterReferral: '不客气。以后有关于公共事务的意见建议，随时发给我；发送“我想提建议”即可开始。',
  afterEmergency: '我这里是建议征集助手，没办法派人到现场。请保持电话畅通，按119、120、110的指引做，也可以联系所在镇乡、街道或村（社区）请他们协助。注意安全！',
  savedForLater: (days: number) => `好的，已填写的内容为您保存${days}天，想好了随时发“继续”就能接着填写。`,
  nothingToCancel: '当前没有正在填写的建议。发送“我想提建议”即可开始。',
  restarted: '好的，我们从头开始。',
  noDraft: '您目前没有未完成的草稿，我们从头开始提一条新建议。',
  resumed: '好的，我们接着填写。',
  resumeReminder: (title: string | undefined, keepUntil: Date, tz: string) =>
    `欢迎回来！您有一份未完成的建议草稿${title ? `（标题：${title}）` : ''}，将保留到${date(keepUntil, tz)}。请回复“继续”接着填写，或“重新开始”。`,
  versionRestart: '系统已经更新，之前的草稿无法继续使用，请您重新开始填写，抱歉给您带来不便。',
  scopeAsk: '您是想提建议，还是反映个人诉求？',
  outOfScopeTail: '如果您有关于公共事务的意见建议，欢迎发送“我想提建议”开始填写。',
  startHint: '您好！这里是万州区人民建议征集助手。如有意见建议，请发送“我想提建议”开始填写；发送“帮助”查看使用说明。',
  submitted: (reference: string) =>
    `您的建议已提交，编号 ${reference}。承办单位办理后会通过这里告知您结果；您也可随时发送“查询 ${reference}”查看进度。感谢您的建言献策！`,
  alreadySubmitted: (reference: string) => `您的建议已经提交过了，编号 ${reference}，无需重复提交。`,
  submitPending:
    '您的建议正在登记中，系统稍忙，请稍后发送任意消息，我会继续为您登记，已填写的内容不会丢失。',
  busy: '系统繁忙，请稍后再发一次，刚才的内容没有保存。',
  queryNotFound: (reference: string) => `没有找到编号为 ${reference} 的建议。请核对编号；只能查询您本人提交的建议。`,
  queryNone: (contact: Contact) =>
    `这个微信还没有提交过建议。如果您是在网站上、或请信访代理员代为提交的，请发送“查询”加建议编号（例如：查询 WZ2021-000123）；没有编号的，可以联系${contact.name}（电话${contact.phone}）帮您查。想提新建议，发送“我想提建议”即可。`,
  queryFailed: '暂时查询不到进度，请稍后再试。',
  queryOne: (v: SuggestionStatusView, tz: string) =>
    [
      `编号 ${v.reference}：${v.title}`,
      `提交时间：${date(v.submittedAt, tz)}`,
      `当前进度：${statusNames[v.status]}${v.units.length ? `（${v.units.join('、')}）` : ''}`,
      v.attachmentKinds?.length ? attachmentTexts.summaryLine(attachmentCounts(v.attachmentKinds)) : '',
      v.answer ? `答复（${v.answer.unit}）：${v.answer.text}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  queryList: (views: SuggestionStatusView[]) =>
    ['您提交的建议：', ...views.map((v) => `· ${v.reference} ${v.title}（${statusNames[v.status]}）`), '发送“查询 编号”可查看详情。'].join('\n'),
  draftKept: '（您的草稿仍保留，回复“继续”接着填写。）',
  /** 转人工 on 微信客服 within the office's hours: the session went to a person. */
  handoffDone: (midDraft: boolean) => `好的，已为您转接人工服务，请稍候，工作人员会在这里回复您。${midDraft ? '已填写的内容会为您保留。' : ''}`,
  /** 转人工 outside the hours, on another channel, or when no servicer could take it. */
  handoffContact: (contact: Contact, midDraft: boolean) =>
    `您可以联系${contact.name}（电话${contact.phone}，${contact.hours}），工作人员会帮您；也可以请所在镇乡、街道的信访代理员代您录入建议。${midDraft ? '已填写的内容会为您保留，回复“继续”可接着填写。' : '如想自己在这里提交，发送“我想提建议”即可开始。'}`,
} as const;

/** The summary at the review step: one line per answer, long texts shortened. */
export function summaryLine(label: string, value: string | undefined, maxChars = 120): string {
  if (!value) return `${label}：（未填写）`;
  const v = value.replace(/\s*\n\s*/g, ' ');
  return `${label}：${v.length > maxChars ? `${v.slice(0, maxChars)}…（共${v.length}字）` : v}`;
}
