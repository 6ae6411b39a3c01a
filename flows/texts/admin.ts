/**
 * The Chinese labels the admin API puts into files people read (exports, statistics, the city form); the
 * console's own labels live in its HTML.
 */
export const statusLabels: Readonly<Record<string, string>> = {
  submitted: '待分办',
  assigned: '已交办',
  accepted: '已受理',
  answered: '已答复',
  evaluated: '已评价',
  closed: '已办结',
  returned: '已退回',
  escalated: '复核中',
  recommended_to_city: '已推荐市征集办',
  rejected: '不予受理',
  withdrawn: '已撤回',
};

export const categoryLabels: Readonly<Record<string, string>> = {
  policy: '完善政策类',
  work: '改进工作类',
  problem: '解决问题类',
  innovation: '创新体制机制类',
};

export const levelLabels: Readonly<Record<string, string>> = { district: '涉及万州区', city: '涉及全市' };

export const cityOutcomeLabels: Readonly<Record<string, string>> = { pending: '待市征集办反馈', adopted: '市级采纳', not_adopted: '市级未采纳' };

/** Column headers of the suggestion list export (.xlsx and CSV), in order. */
export const exportColumns = {
  reference: '建议编号',
  submittedAt: '提交时间',
  theme: '征集主题',
  category: '建议类别',
  title: '建议标题',
  proposal: '建议内容',
  feasibility: '可行性分析',
  proposerName: '建议人',
  proposerPhone: '联系电话',
  proposerUnit: '工作单位',
  enteredBy: '代理录入人',
  level: '涉及范围',
  status: '办理状态',
  units: '承办单位',
  assignedAt: '交办时间',
  acceptDue: '受理期限',
  acceptedAt: '受理时间',
  answerDue: '答复期限',
  answeredAt: '答复时间',
  overdue: '是否超期',
  waitingOn: '待办理',
  outcome: '办理结果',
  answers: '答复意见',
  notAdoptedReason: '暂不采纳原因',
  returns: '退回情况',
  rejection: '不予受理理由',
  attachments: '附件',
  rating: '满意度评价',
  ratingComment: '评价意见',
  valuable: '有价值建议',
  instruction: '区领导批示',
  cityRecommendation: '推荐市征集办',
  cityOutcome: '市级采纳结果',
  awards: '表彰奖励',
} as const;

/** The export's file name (without extension): 人民建议_2021-07-01. */
export const exportFileStem = (day: string) => `人民建议_${day}`;

export const yesNo = { yes: '是', no: '否' } as const;

/** The city collection office's form (重庆市信访办公众信息网 → 人民建议), field by field. */
export const cityFormLabels = {
  heading: '人民建议推荐上报表',
  submitTo: '递呈单位',
  reference: '区内编号',
  proposerName: '建议人姓名',
  proposerPhone: '联系方式',
  proposerUnit: '工作单位',
  theme: '征集主题',
  category: '建议类别',
  title: '建议标题',
  proposal: '建议内容',
  feasibility: '可行性分析及实施建议',
  districtHandling: '区内办理情况',
  leaderInstruction: '区领导批示',
  recommendation: '推荐理由',
  none: '无',
} as const;

/** Name of the worksheet in the .xlsx export. */
export const exportSheetName = '人民建议';

/** Bucket label in statistics for suggestions without a category or an active unit. */
export const noneLabel = '未分类/未交办';
