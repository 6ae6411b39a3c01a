/**
 * The one Chinese label dictionary for everything a person reads about a suggestion: statuses, answer
 * outcomes, ratings, history actions, actors, deadline notes, assignment ends, quota statuses and the API
 * errors a person can meet. The console receives it from GET /api/meta; the exports, statistics and the
 * notifications import it here, so one word means one thing everywhere.
 */
import { statusLabels, categoryLabels, levelLabels, cityOutcomeLabels } from './admin.js';
import { outcomeNames, ratingNames } from './handling.js';
import { quotaReportTexts } from './agent.js';

export { statusLabels, categoryLabels, levelLabels, cityOutcomeLabels };

/** Answer outcomes (承办单位的办理结果). */
export const outcomeLabels: Readonly<Record<string, string>> = { ...outcomeNames };

/** The citizen's rating. */
export const ratingLabels: Readonly<Record<string, string>> = { ...ratingNames };

/** What a history or audit entry records. */
export const actionLabels: Readonly<Record<string, string>> = {
  submit: '提交建议',
  route: '自动分办',
  assign: '交办',
  reassign: '改派',
  accept: '受理',
  return_requested: '申请退回',
  return: '退回',
  answer: '答复',
  rate: '评价',
  rating_comment: '补充评价意见',
  reject: '不予受理',
  recommend_to_city: '推荐市征集办',
  city_outcome: '记录市级采纳结果',
  mark_valuable: '标记为有价值建议',
  unmark_valuable: '取消有价值标记',
  escalate_to_leaders: '呈报区领导阅批',
  leader_instruction: '记录区领导批示',
  nominate_award: '提名表彰奖励',
  deadline: '期限提醒',
  card_refresh: '更新办理卡片',
  close: '办结',
  internal_note: '内部备注',
  correct: '更正信息',
  mark_duplicate: '标记为重复建议',
  sign_in: '登录',
  sign_out: '退出登录',
};

/** Why an assignment ended. */
export const endReasonLabels: Readonly<Record<string, string>> = {
  returned: '单位退回',
  reassigned: '已改派',
  rejected: '不予受理',
  closed: '已办结',
};

/** Who acted, for actors without a name of their own. */
export const actorLabels = {
  office: '区信访办',
  system: '系统',
  citizen: '建议人',
  leader: '区领导',
  agent: '信访代理员',
  adminToken: '区信访办（管理令牌）',
  breakGlass: '区信访办（应急登录）',
  /** Who a unit's break-glass session is, where a member's name would be (cards, history). */
  breakGlassMember: '应急登录',
  unitToken: (unitName: string) => `${unitName}（单位令牌）`,
  /** `区信访办·陈信访`, `区发展改革委·李四`. */
  person: (place: string, name: string) => `${place}·${name}`,
} as const;

/** The roles a signed-in person may have. */
export const roleLabels: Readonly<Record<string, string>> = {
  office: '区信访办',
  unit: '承办单位',
  leader: '区领导',
  agent: '信访代理员',
};

/** The deadline sweep's history note. */
export const deadlineNote = (c: { reminded: number; acceptOverdue: number; overdue: number }): string =>
  [c.reminded ? `提醒答复 ${c.reminded} 个单位` : '', c.acceptOverdue ? `超期未受理 ${c.acceptOverdue} 个单位` : '', c.overdue ? `超期未答复 ${c.overdue} 个单位` : '']
    .filter(Boolean)
    .join('，') || '期限检查';

/** Quota statuses (代理录入考核). */
export const quotaStatusLabels: Readonly<Record<string, string>> = { ...quotaReportTexts.status };

/** Routing's reasons for leaving a suggestion to the office. */
export const screeningReasonLabels: Readonly<Record<string, string>> = {
  mode: '设置为区信访办甄别后交办',
  no_rule: '没有匹配的交办规则',
  city_level: '涉及全市，需研判是否推荐上报',
};

/**
 * API errors a person can meet, by error code (src/infra/errors.ts, the handling service's refusals), and
 * by HTTP status when the code is unknown. The console never shows the server's English message.
 */
export const errorLabels: Readonly<Record<string, string>> = {
  bad_request: '填写的内容不符合要求，请检查后再提交。',
  validation: '填写的内容不符合要求，请检查后再提交。',
  invalid: '填写的内容不符合要求，请检查后再提交。',
  unauthorized: '登录已失效，请重新登录。',
  forbidden: '您没有权限进行此操作。',
  not_permitted: '您没有权限进行此操作。',
  not_found: '没有找到这条建议，可能已被改派或编号有误。',
  conflict: '这条建议刚被其他人改动过，页面已刷新，请确认后再操作。',
  bad_state: '这条建议当前的状态不允许此操作，页面已刷新。',
  not_assigned: '这条建议没有交办给贵单位，或已改派。',
  already_done: '这一步已经办理过了。',
  reason_required: '请填写理由。',
  unknown_unit: '所选单位不存在。',
  rate_limited: '操作太频繁，请稍后再试。',
  network: '网络连接失败，请检查网络后重试。',
  server: '系统暂时出现问题，请稍后再试；如持续出现请联系管理员。',
  status400: '填写的内容不符合要求，请检查后再提交。',
  status401: '登录已失效，请重新登录。',
  status403: '您没有权限进行此操作。',
  status404: '没有找到相关内容。',
  status409: '当前状态不允许此操作，页面已刷新。',
  status413: '提交的内容太长了。',
  status429: '操作太频繁，请稍后再试。',
};

/** Sign-in results shown on the console's sign-in page (`/console/?signin=…`). */
export const signInLabels: Readonly<Record<string, string>> = {
  denied: '您的企业微信账号不在本系统的人员名单中，请联系区信访办开通。',
  expired: '登录已超时，请重新扫码登录。',
  failed: '企业微信登录没有成功，请稍后重试。',
  signed_out: '您已退出登录。',
  unavailable: '企业微信登录暂未开通，请使用应急令牌登录。',
};

/** Everything above, as the console receives it from GET /api/meta. */
export function labelDictionary() {
  return {
    statuses: statusLabels,
    categories: categoryLabels,
    levels: levelLabels,
    cityOutcomes: cityOutcomeLabels,
    outcomes: outcomeLabels,
    ratings: ratingLabels,
    actions: actionLabels,
    endReasons: endReasonLabels,
    actors: { office: actorLabels.office, system: actorLabels.system, citizen: actorLabels.citizen, leader: actorLabels.leader, agent: actorLabels.agent, adminToken: actorLabels.adminToken, breakGlass: actorLabels.breakGlass },
    roles: roleLabels,
    quotaStatuses: quotaStatusLabels,
    screeningReasons: screeningReasonLabels,
    errors: errorLabels,
    signIn: signInLabels,
  };
}
