/**
 * Wording of the handling loop: what units see on their cards, app messages and group robots, what the
 * office is told, and what the citizen hears back (acceptance, answer, rating request).
 */

/** The seed's answer outcomes (承办单位的答复结果). */
export const outcomeNames = {
  adopted: '采纳',
  partially_adopted: '部分采纳',
  not_adopted: '暂不采纳',
  for_reference: '留作参考',
} as const;
export type AnswerOutcome = keyof typeof outcomeNames;
export const outcomeOrder: AnswerOutcome[] = ['adopted', 'partially_adopted', 'not_adopted', 'for_reference'];

export const ratingNames = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' } as const;
export type Rating = keyof typeof ratingNames;
export const ratingOrder: Rating[] = ['satisfied', 'basically_satisfied', 'unsatisfied'];

export const levelNames = { district: '区级', city: '涉及全市' } as const;

/** A unit's card (template_card, button_interaction). */
export const cardTexts = {
  title: (reference: string) => `新交办建议 ${reference}`,
  desc: (assignedDay: string) => `交办于 ${assignedDay}`,
  theme: '主题',
  due: '答复期限',
  acceptDue: '受理期限',
  proposer: '建议人',
  acceptButton: '受理',
  returnButton: '退回',
  acceptedBy: (name: string) => `已受理（${name}）`,
  returningBy: (name: string) => `退回中（${name}）`,
  returnedBy: (name: string) => `已退回（${name}）`,
  alreadyAccepted: (name: string) => `已由${name}受理`,
  closed: '已改派或已办结',
};

/** App messages to unit members and the office (WeCom app, text). */
export const unitTexts = {
  assignedDetail: (v: { reference: string; title: string; proposer: string; phone: string; proposerUnit: string; acceptDue: string; due: string }) =>
    [
      `建议 ${v.reference}《${v.title}》已交办贵单位。`,
      `建议人：${v.proposer}，联系电话 ${v.phone}，工作单位：${v.proposerUnit}（仅供办理联系，请勿外传）。`,
      `请于 ${v.acceptDue} 前受理，${v.due} 前答复。`,
      `答复方法：在此回复“答复 ${v.reference}”。`,
    ].join('\n'),
  askReturnReason: (reference: string) => `您选择退回建议 ${reference}。请直接回复退回理由（例如：不属于本单位职责，建议交区某某部门），我们会转交区信访办重新交办。`,
  reassignedAway: (reference: string, title: string) => `建议 ${reference}《${title}》已由区信访办改派其他单位，贵单位无需继续办理，谢谢。`,
  remind: (reference: string, title: string, due: string) => `提醒：建议 ${reference}《${title}》将于 ${due} 到期，请及时答复（回复“答复 ${reference}”）。`,
  acceptOverdue: (reference: string, title: string) => `建议 ${reference}《${title}》已超过受理期限，请尽快受理并办理。`,
  overdue: (reference: string, title: string, due: string) => `建议 ${reference}《${title}》已超过答复期限（${due}），请立即办理答复。`,
};

export const officeTexts = {
  screening: (v: { reference: string; title: string; theme: string; level: string; proposed: string[]; reason: string }) =>
    [
      `新建议待甄别：${v.reference}《${v.title}》`,
      `主题：${v.theme}；层级：${v.level}`,
      v.proposed.length ? `规则建议交办：${v.proposed.join('、')}` : '没有匹配的交办规则。',
      v.reason,
      '请在管理后台交办、退回或推荐上报。',
    ].join('\n'),
  screeningReasons: {
    mode: '当前设置为由区信访办甄别后交办。',
    no_rule: '请确定承办单位。',
    city_level: '该建议涉及全市，请研判是否推荐上报市征集办。',
    flagged: '该建议带有标记（内容较简略，或可能属于个人诉求、投诉、举报），请甄别后再决定是否交办。',
    ambiguous_place: '建议中提到的地名对应多个镇乡（街道），请确定承办单位。',
  },
  /** The places behind an ambiguous_place screening: `（朝阳村：高峰街道、武陵镇）`. */
  placesNamed: (places: { name: string; units: string[] }[], unitName: (id: string) => string) =>
    places.length ? `（${places.map((p) => `${p.name}：${p.units.map(unitName).join('、')}`).join('；')}）` : '',
  returned: (reference: string, title: string, unit: string, reason: string) =>
    `建议 ${reference}《${title}》被${unit}退回，理由：${reason}。请重新交办。`,
  acceptOverdue: (reference: string, title: string, unit: string) => `督办：建议 ${reference}《${title}》${unit}超过受理期限仍未受理。`,
  overdue: (reference: string, title: string, unit: string, due: string) => `督办：建议 ${reference}《${title}》${unit}已超过答复期限（${due}）仍未答复。`,
  unsatisfied: (reference: string, title: string, comment?: string) =>
    `建议人对建议 ${reference}《${title}》的答复表示不满意${comment ? `，意见：${comment}` : ''}。请复核后重新交办或说明。`,
};

/** Markdown for group robots (≤ 4096 bytes): never a name or a phone number. */
export const robotTexts = {
  assigned: (v: { reference: string; title: string; theme: string; due: string }) =>
    `### 新交办建议 ${v.reference}\n> 标题：${v.title}\n> 主题：${v.theme}\n> 答复期限：<font color="warning">${v.due}</font>\n请承办人在企业微信应用中受理。`,
  screening: (v: { reference: string; title: string; level: string }) =>
    `### 新建议待甄别 ${v.reference}\n> 标题：${v.title}\n> 层级：${v.level}`,
  overdue: (v: { reference: string; title: string; unit: string; due: string }) =>
    `### 建议逾期未答复 ${v.reference}\n> 标题：${v.title}\n> 承办单位：${v.unit}\n> 答复期限：<font color="warning">${v.due}</font>`,
};

/** What the citizen hears back. */
export const citizenTexts = {
  /** Heads a notice about a suggestion an agent entered: it reaches the agent, who passes it on. */
  viaAgent: (proposer: string) => `【您代理录入的建议，请转告建议人${proposer}】`,
  accepted: (reference: string, unit: string) => `您的建议 ${reference} 已由${unit}受理，办理后会在这里告知您结果。`,
  answered: (v: { reference: string; unit: string; outcome: AnswerOutcome; text: string; reason?: string }) =>
    [`您的建议 ${v.reference} 已收到${v.unit}的答复：`, `办理结果：${outcomeNames[v.outcome]}`, v.reason ? `说明：${v.reason}` : '', v.text]
      .filter(Boolean)
      .join('\n'),
  rateRequest: (reference: string) => `请您对建议 ${reference} 的办理答复进行评价：`,
  rejected: (reference: string, reason: string) => `您的建议 ${reference} 经区信访办研究，暂不能受理。原因：${reason}\n感谢您的关心和支持。`,
  recommended: (reference: string) => `您的建议 ${reference} 涉及全市，区信访办已推荐上报市人民建议征集办公室。感谢您的建言献策！`,
  noticeHeader: '您有新的办理进展：',
};

/** Replies in the unit members' app conversation (flows/unit-answer.flow.ts). */
export const unitFlowTexts = {
  help: [
    '您好，这里是人民建议办理助手。可用指令：',
    '· 待办：查看本单位待受理、待答复的建议',
    '· 受理 编号：受理一条建议',
    '· 答复 编号：答复一条建议',
    '· 退回 编号 理由：退回区信访办重新交办',
    '· 取消：放弃正在填写的答复',
  ].join('\n'),
  notMember: '您不是任何承办单位的办理人员，无法办理建议。如有疑问请联系区信访办。',
  notFound: (reference: string) => `没有找到本单位承办的建议 ${reference}，请核对编号。`,
  needReference: (verb: string) => `请在“${verb}”后写上建议编号，例如：${verb} WZ2021-000001`,
  todoNone: '本单位目前没有待办的建议。',
  todo: (items: { reference: string; title: string; state: string; due: string }[]) =>
    ['本单位待办建议：', ...items.map((i) => `· ${i.reference}《${i.title}》${i.state}，期限 ${i.due}`)].join('\n'),
  askOutcome: (reference: string, title: string, excerpt: string) => `答复建议 ${reference}《${title}》\n${excerpt}\n请选择办理结果：`,
  invalidOutcome: '请选择办理结果：回复序号或名称（采纳、部分采纳、暂不采纳、留作参考）。',
  askReason: '暂不采纳需要说明原因：请先肯定建议人建言献策的良好出发点，再说明暂不可行的原因。',
  reasonTooShort: '原因写得太简短了，请具体说明暂不可行的原因（至少10个字）。',
  askText: '请输入答复内容（将原文发送给建议人）：',
  textTooShort: '答复内容太简短了，请写明具体的办理情况或措施（至少10个字）。',
  confirm: (v: { reference: string; outcome: string; reason?: string; text: string }) =>
    [`请核对答复 ${v.reference}：`, `办理结果：${v.outcome}`, v.reason ? `原因：${v.reason}` : '', `答复内容：${v.text}`, '回复“确认”发送，或“取消”放弃。']
      .filter(Boolean)
      .join('\n'),
  confirmOptions: { confirm: '确认', cancel: '取消' },
  answered: (reference: string) => `答复已保存，并将发送给建议人。建议 ${reference} 办理完毕，谢谢！`,
  accepted: (reference: string) => `已受理建议 ${reference}，请在期限内答复（回复“答复 ${reference}”）。`,
  returned: (reference: string) => `已退回建议 ${reference}，区信访办将重新交办。`,
  returnNeedsReason: (reference: string) => `请写明退回理由，例如：退回 ${reference} 不属于本单位职责`,
  cancelled: '已取消本次答复。',
  /** The unit commands by kind, as members type them (used in hints). */
  verbs: { answer: '答复', accept: '受理', return: '退回' },
  /** Where an open assignment stands, in the 待办 list. */
  todoStates: { toAccept: '待受理', toAnswer: '待答复' },
  failed: (why: string) => `操作未完成：${why}`,
  reasons: {
    not_found: '找不到这条建议',
    bad_state: '这条建议当前的状态不允许此操作',
    not_assigned: '这条建议没有交办给贵单位，或已改派',
    already_done: '这一步已经办理过了',
    conflict: '有人同时在办理，请稍后再试',
    reason_required: '需要说明理由',
    unknown_unit: '单位不存在',
    not_permitted: '您不是该单位的办理人员',
    invalid: '内容不符合要求',
  } as Record<string, string>,
};

/** Replies in the citizen's rating conversation (flows/evaluation.flow.ts). */
export const evaluationTexts = {
  invalid: '请回复序号或“满意”“基本满意”“不满意”进行评价。',
  askComment: (rating: Rating) =>
    rating === 'unsatisfied'
      ? '很抱歉答复没能让您满意。可以说说不满意的原因吗？我们会请区信访办复核。回复“跳过”则不填写。'
      : '感谢您的评价！还有什么想补充的意见吗？回复“跳过”则不填写。',
  skipWords: ['跳过', '没有', '无', '不用了', '不用', '没了'],
  thanks: (rating: Rating) =>
    rating === 'unsatisfied' ? '您的意见已转交区信访办复核，处理后会再告知您。感谢您的监督！' : '您的评价已记录，感谢您对人民建议征集工作的支持！',
  recorded: '您的评价已记录。',
  /** The rating question set aside while another menu (a new draft's) is open: answered by its words. */
  rateLater: '（可以先填写建议，稍后直接回复“满意”“基本满意”或“不满意”进行评价。）',
};

/** Notes in a suggestion's history (shown to the office in the console and exports). */
export const historyNotes = {
  /** Routing left it to the office; `reason` is the routing's reason code. */
  screening: (reason: string) => `待区信访办甄别（${reason}）`,
  /** The units of an assignment, then the office's note. */
  assigned: (unitNames: string[], note?: string) => [unitNames.join('、'), note].filter(Boolean).join('；'),
  /** What a unit said or decided: `区发展改革委：不属于本单位职责`. */
  byUnit: (unitName: string, what: string) => `${unitName}：${what}`,
  /** The leaders' instruction that led to an assignment. */
  leaderInstruction: (leader: string, text: string) => `${leader}批示：${text}`,
};
