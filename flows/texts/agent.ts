/** The agents' (信访代理员) proxy-entry conversation: greetings, questions and the summary's owner line. */

export const agentTexts = {
  welcome: (name: string) =>
    `${name}您好！您是信访代理员，可以代群众录入建议（转发与群众的聊天记录，或发送“代录”加群众原话），也可以提您自己的建议。`,
  recordReceived: (lines: number, senders: string[], skipped: number) =>
    `已收到转发的聊天记录：${lines}条文字消息，发言人：${senders.join('、')}。${skipped ? `（另有${skipped}条图片、语音等非文字消息：图片和文件会作为附件随建议提交，语音等内容请补充文字。）` : ''}`,
  pasteReceived: '已收到您代录的群众原话，先为它补充几项信息。',
  proxyStart: '好的，代群众录入。先补充几项信息，群众的原话在“建议内容”一步粘贴。',
  mode: '请问这次是？',
  modeInvalid: '请回复1（代群众录入）或2（提我自己的建议）。',
  modeLabels: { proxy: '代群众录入', own: '提我自己的建议' },
  speaker: (agentSenders: string[]) =>
    `${agentSenders.length ? `已把“${agentSenders.join('、')}”的发言当作您本人的，不计入建议内容。` : '没有在记录中认出您本人的发言。'}请问哪一位是提建议的群众？`,
  speakerInvalid: '请回复建议人对应的编号。',
  speakerChosen: (name: string, count: number, agentSenders: string[]) =>
    `已采用“${name}”的${count}条发言作为建议内容${agentSenders.length ? `，您（${agentSenders.join('、')}）的发言未计入` : ''}。`,
  detailsFound: (found: string[]) => `记录中找到建议人信息：${found.join('，')}，请在核对时确认。`,
  themeGuess: (name: string, n: number) => `根据记录内容，建议主题可能是“${name}”，如无误请回复${n}。`,
  proposal: (requirement?: string) =>
    `请粘贴或输入群众建议的原话：现状或问题是什么、建议具体怎么做。${requirement ? `（${requirement}）` : ''}\n可分几条发送，全部发完后请回复“完成”。`,
  feasibility: '请简要说明建议的可行性（可根据群众所述整理）：实施条件、大致成本或资源、预期效果。发完后请回复“完成”。',
  identityIntro: '请提供建议人的真实姓名、联系电话和工作单位，可一条发送，例如：王五，13812345678，万州区某某公司。',
  askName: '请问建议人的姓名是？',
  askPhone: '请留一个建议人的联系电话（手机或座机），便于承办单位联系。',
  askUnit: '请问建议人的工作单位是？（没有单位可填写“无”或所在村/社区）',
  consent: (citizen: string) =>
    `提交前请确认：建议人“${citizen}”已同意委托您代为录入这条建议。已征得同意请回复1。`,
  consentLabel: '已征得建议人同意，受托代为录入',
  /** Whole messages that state the consent like option 1 does. */
  consentWords: ['是', '是的', '对', '对的', '好', '好的', '同意', '已同意', '同意了', '已征得同意', '征得同意', '确认', '可以', '嗯', 'yes', 'y'],
  consentInvalid:
    '代理录入需要建议人本人同意委托。已征得同意请回复1；暂未取得可先回复“取消”，或征得同意后再回来继续（草稿保留7天）。',
  review: '请核对这条建议：',
  owner: {
    proxy: (citizen: string, unitName: string, agent: string) => `建议人：${citizen || '（未填写）'}（由 ${unitName} ${agent} 代理录入）`,
    own: (name: string) => `建议人：${name || '（未填写）'}（本人提交）`,
  },
  consentLine: (at: string) => `委托确认：已征得建议人同意（${at}）`,
  pastedSender: '群众',
  /** The name shown for a forwarded line with no sender name. */
  unknownSender: '未署名',
} as const;

/** The WeCom reminders of the quota (agents and the office). */
export const quotaReminderTexts = {
  agent: (p: { unitName: string; year: number; month: number; quarter: number; day: number }) =>
    `【人民建议代理录入提醒】${p.unitName}在${p.year}年${p.month}月（第${p.quarter}季度的考核月份）尚未代理录入建议。请在本月底前至少代理录入1件群众建议（转发聊天记录给我，或发送“代录”加群众原话）。`,
  office: (p: { year: number; month: number; units: { name: string; agents: string[] }[] }) =>
    [
      `【人民建议代理录入进度】${p.year}年${p.month}月尚未代理录入的单位（${p.units.length}个）：`,
      ...p.units.map((u, i) => `${i + 1}. ${u.name}${u.agents.length ? `（代理员：${u.agents.join('、')}）` : '（未设代理员）'}`),
    ].join('\n'),
} as const;

/** The quota report's spreadsheet: headers and labels. */
export const quotaReportTexts = {
  summarySheet: '达标情况',
  detailSheet: '计入明细',
  headers: {
    unit: '单位',
    kind: '类型',
    agents: '代理员',
    requiredMonths: '应录入月份',
    month: (m: number) => `${m}月录入`,
    missingMonths: '缺录月份',
    campaign: '专题活动有价值建议',
    status: '考核结果',
    reference: '建议编号',
    at: '录入时间',
    belongsTo: '计入月份',
    reason: '计入原因',
  },
  kinds: { office: '区信访办', department: '区级部门', town: '镇乡', street: '街道', other: '其他' } as Record<string, string>,
  status: { met: '达标', behind: '未达标', in_progress: '进行中' } as Record<string, string>,
  month: {
    met: (occasions: number, suggestions: number) => `已录入（${occasions}次，${suggestions}件）`,
    missing: '缺录',
    open: '本月尚未录入',
    upcoming: '未到',
    not_required: (suggestions: number) => (suggestions ? `非考核月（${suggestions}件）` : '非考核月'),
  },
  campaign: (valuable: number, required: number, deadline: string, status: string) =>
    `${valuable}/${required}件（截止${deadline}，${status === 'met' ? '已完成' : status === 'missing' ? '未完成' : '进行中'}）`,
  reasons: {
    proxy_entry: '代理录入',
    campaign_proxy_entry: '代理录入的专题建议',
    offset_valuable_campaign: '本单位人员自行提交的有价值专题建议（冲抵）',
  } as Record<string, string>,
  none: '无',
  noAgent: '未设代理员',
  monthName: (m: number) => `${m}月`,
  listSeparator: '、',
  campaignSeparator: '；',
} as const;

/** Words that begin an agent's proxy entry (`代录：王五说…`), alone or followed by the citizen's words. */
export const proxyEntryWords = ['代录', '代理录入', '代为录入'] as const;
