// The console: plain DOM, no framework. Every value from the server is inserted as text
// (textContent / attribute values), never as HTML, and the page's CSP allows no inline script.
// Sign-in is a server-side session (HttpOnly cookie): this script never holds a token.
// Every word a person reads comes from the label dictionary of GET /api/meta (flows/texts/labels.ts) or
// from this page's own Chinese captions; codes from the server are never shown as they are.
import { attachmentsCard } from './attachments-view.js';

const $ = (sel, root = document) => root.querySelector(sel);
const SVG = 'http://www.w3.org/2000/svg';

/** Creates an element; children are nodes or strings (inserted as text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'testid') el.setAttribute('data-testid', String(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false && c !== '') el.append(c instanceof Node ? c : String(c));
  return el;
}

const state = { me: null, meta: null, pageSize: 20 };

// Used before /api/meta arrived (or when it cannot be read).
const fallbackErrors = {
  network: '网络连接失败，请检查网络后重试。',
  server: '系统暂时出现问题，请稍后再试；如持续出现请联系管理员。',
  status401: '登录已失效，请重新登录。',
};

class ApiError extends Error {
  constructor(status, body) {
    super('api');
    this.status = status;
    this.body = body;
  }
}
class NetworkError extends Error {}

async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new NetworkError('network');
  }
  if (res.status === 401 && state.me) {
    showSignIn(labels().errors.status401);
    throw new ApiError(401, null);
  }
  if (!res.ok) {
    let payload = null;
    try { payload = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, payload);
  }
  return raw ? res : res.status === 204 ? null : res.json();
}

const labels = () => (state.meta && state.meta.labels) || { errors: fallbackErrors };

/** The Chinese sentence for an error: by the server's code, else by the HTTP status; never its English text. */
function describeError(err) {
  const E = labels().errors;
  if (err instanceof NetworkError) return E.network;
  if (!(err instanceof ApiError)) return E.server;
  const code = err.body && err.body.error;
  return (code && E[code]) || E[`status${err.status}`] || E.server;
}

function showError(err) {
  $('#error').textContent = err ? describeError(err) : '';
}

const L = (group, id) => (id === undefined || id === null || id === '' ? '' : (labels()[group] || {})[id] || '');
const unitName = (id) => ((state.meta.units.find((u) => u.id === id) || {}).name) || '';
const statusName = (id) => L('statuses', id);
const tz = () => (state.meta && state.meta.timezone) || 'Asia/Shanghai';
const fmtParts = (iso, withTime) => {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz(), year: 'numeric', month: '2-digit', day: '2-digit', ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
  }).formatToParts(new Date(iso));
  const v = (type) => (parts.find((x) => x.type === type) || {}).value || '';
  return withTime ? `${v('year')}-${v('month')}-${v('day')} ${v('hour')}:${v('minute')}` : `${v('year')}-${v('month')}-${v('day')}`;
};
// The service's time zone (Asia/Shanghai), not the browser's: a 10:00 submission reads 10:00 everywhere.
const fmt = (iso) => (iso ? fmtParts(iso, true) : '');
const fmtDay = (iso) => (iso ? fmtParts(iso, false) : '');
const activeAssignments = (s) => (s.assignments || []).filter((a) => !a.returnedAt && a.active !== false);
const activeUnits = (s) => activeAssignments(s).map((a) => a.unit);
const role = () => (state.me ? state.me.kind : null);
const isOffice = () => role() === 'office';

/** A history/audit actor in words: `unit:fgw:lisi` → 区发展改革委·李四. */
function actorName(actor) {
  const A = labels().actors;
  const person = (id) => (state.meta.people || {})[id];
  if (!actor) return '';
  // Audit entries carry the authenticated identity as an object: its name is already the one to show.
  if (typeof actor === 'object') return actor.name || actor.id || '';
  if (actor === 'system') return A.system;
  if (actor.startsWith('citizen:')) return A.citizen;
  let m = /^office(?:\((.+)\))?$/.exec(actor);
  if (m) return m[1] ? `${A.office}·${m[1]}` : A.office;
  m = /^office:(.+)$/.exec(actor);
  if (m) {
    const id = m[1].replace(/^office\((.+)\)$/, '$1');
    if (id === 'admin' || id === 'office' || id === 'admin-token') return A.office;
    if (id === 'break-glass') return A.breakGlass;
    return `${A.office}·${person(id) || id}`;
  }
  m = /^unit:([^:()]+)(?::(.+))?(?:\((.+)\))?$/.exec(actor);
  if (m) return m[2] || m[3] ? `${unitName(m[1]) || m[1]}·${person(m[2]) || m[2] || m[3]}` : unitName(m[1]) || m[1];
  m = /^leader:(.+)$/.exec(actor);
  if (m) return `${A.leader}·${person(m[1]) || m[1]}`;
  if (actor.startsWith('agent')) return A.agent;
  return actor;
}

/** A history note in words: codes that older entries carry are translated. */
function noteText(e) {
  let note = e.note || '';
  const legacy = /^reminded (\d+), accept overdue (\d+), overdue (\d+)$/.exec(note);
  if (legacy) {
    const [r, a, o] = legacy.slice(1).map(Number);
    note = [r ? `提醒答复 ${r} 个单位` : '', a ? `超期未受理 ${a} 个单位` : '', o ? `超期未答复 ${o} 个单位` : ''].filter(Boolean).join('，') || '期限检查';
  }
  const codes = { ...labels().cityOutcomes, ...labels().outcomes, ...labels().screeningReasons, ...labels().ratings };
  return note.replace(/\b[a-z]+(?:_[a-z]+)*\b/g, (w) => codes[w] || w);
}

function badge(status) {
  return h('span', { class: `badge st-${status}`, 'data-status': status }, statusName(status));
}

/** Who must act next, in words. */
function waitingText(work) {
  if (!work) return '';
  switch (work.actor) {
    case 'unit':
      return work.units.map((u) => `${unitName(u.unit)}${u.step === 'accept' ? '待受理' : '待答复'}${u.overdue ? '（已超期）' : ''}`).join('、');
    case 'office':
      return { assign: '区信访办待分办', review: '区信访办待复核', close: '区信访办待办结' }[work.step] || '区信访办';
    case 'leader': return '区领导待批示';
    case 'city': return '待市征集办反馈';
    default: return '';
  }
}
function daysText(work) {
  if (!work || work.daysLeft === null || work.daysLeft === undefined) return '';
  if (work.overdue) return work.daysLeft < 0 ? `超期 ${-work.daysLeft} 个工作日` : '已超期';
  if (work.daysLeft === 0) return '今天到期';
  return `剩 ${work.daysLeft} 个工作日`;
}
const urgency = (work) => (work && work.overdue ? 'overdue' : work && work.dueSoon ? 'due-soon' : '');

// ---------- sign-in ----------

async function start() {
  const params = new URLSearchParams(location.search);
  const outcome = params.get('signin');
  if (outcome) history.replaceState(null, '', location.pathname + location.hash);
  try {
    state.meta = await api('/api/meta');
    state.me = await api('/api/me');
  } catch (err) {
    state.me = null;
    if (err instanceof ApiError && err.status === 401) {
      // Opened inside the WeCom client: sign in at once (WeCom knows who it is), unless that just failed.
      if (!outcome && /wxwork/i.test(navigator.userAgent)) {
        location.assign('/auth/wecom/start');
        return;
      }
      showSignIn(outcome ? signInText(outcome) : '');
    } else {
      showSignIn(describeError(err));
    }
    return;
  }
  enter();
}

// Shown before the label dictionary can be read (it needs a session); kept in step with flows/texts/labels.ts signInLabels.
const signInTexts = {
  denied: '您的企业微信账号不在本系统的人员名单中，请联系区信访办开通。',
  expired: '登录已超时，请重新扫码登录。',
  failed: '企业微信登录没有成功，请稍后重试。',
  signed_out: '您已退出登录。',
  unavailable: '企业微信登录暂未开通，请使用应急令牌登录。',
};
const signInText = (code) => signInTexts[code] || '';

function showSignIn(message) {
  state.me = null;
  $('#nav').hidden = true;
  $('#who').replaceChildren();
  for (const v of document.querySelectorAll('.view')) v.hidden = true;
  $('#signin').hidden = false;
  $('#signin-message').textContent = message || '';
}

function enter() {
  $('#signin').hidden = true;
  $('#nav').hidden = false;
  for (const a of document.querySelectorAll('#nav [data-roles]')) a.hidden = !a.dataset.roles.split(' ').includes(role());
  const me = state.me;
  const place = me.kind === 'unit' || me.kind === 'agent' ? me.unitName : labels().roles[me.kind];
  $('#who').replaceChildren(
    h('span', { testid: 'who-name' }, [place, me.name && me.name !== place ? me.name : ''].filter(Boolean).join(' · ')),
    h('button', { type: 'button', class: 'secondary', id: 'signout', testid: 'signout', onclick: () => void signOut() }, '退出'),
  );
  fillFilterOptions();
  route();
}

async function signOut() {
  try { await api('/auth/signout', { method: 'POST' }); } catch { /* the cookie is cleared either way */ }
  showSignIn(signInText('signed_out'));
}

function fillFilterOptions() {
  const fill = (form, name, items, text) => {
    const sel = form.elements[name];
    if (!sel) return;
    sel.replaceChildren(h('option', { value: '' }, '全部'), ...items.map((i) => h('option', { value: i.id }, text(i))));
  };
  for (const form of [$('#filters'), $('#stats-filters')]) {
    fill(form, 'status', state.meta.statuses, (s) => s.label);
    fill(form, 'theme', state.meta.themes, (t) => t.name);
    fill(form, 'category', state.meta.categories, (c) => c.label);
    fill(form, 'unit', state.meta.units.filter((u) => u.id !== state.meta.collectingOffice), (u) => u.name);
    fill(form, 'enteredBy', state.meta.agents, (a) => `${a.name}（${unitName(a.unit)}）`);
  }
  // A unit sees only its own items: the unit filter would only confuse.
  const unitOnly = role() === 'unit' || role() === 'agent';
  for (const sel of document.querySelectorAll('select[name=unit]')) sel.closest('label').hidden = unitOnly;
}

// ---------- routing ----------

function show(view) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${view}`;
  for (const a of document.querySelectorAll('#nav a[data-view]')) {
    a.classList.toggle('active', a.dataset.view === view);
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

/** `#/list?status=…` → ['list', URLSearchParams]. */
function parseHash() {
  const hash = location.hash || '#/queue';
  const [path, query] = hash.slice(1).split('?');
  return [path, new URLSearchParams(query || '')];
}

async function route() {
  if (!state.me) return;
  showError(null);
  const [path, params] = parseHash();
  const detail = /^\/s\/([A-Za-z0-9-]+)$/.exec(path);
  try {
    if (detail) { show('detail'); await renderDetail(detail[1]); }
    else if (path === '/list') { show('list'); await renderList(params); }
    else if (path === '/stats') { show('stats'); await renderStats(params); }
    else if (path === '/awards') { show('awards'); await renderAwards(); }
    else if (path === '/quota') { show('quota'); await renderQuota(params); }
    else if (path === '/audit') { show('audit'); await renderAudit(); }
    else { show('queue'); await renderQueue(params); }
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) showError(err);
  }
}

// ---------- work queue ----------

const bucketNames = { to_assign: '待分办', review: '复核中', overdue: '超期', instruction: '待批示', city: '待市级反馈', to_close: '待办结', to_accept: '待受理', to_answer: '待答复' };

async function renderQueue(params) {
  const bucket = params.get('bucket') || '';
  const data = await api(`/api/queue${bucket ? `?bucket=${encodeURIComponent(bucket)}` : ''}`);
  $('#queue-buckets').replaceChildren(
    ...data.buckets.map((b) =>
      h('a', { href: `#/queue?bucket=${b.id}`, class: `bucket${b.id === data.bucket ? ' active' : ''}${b.id === 'overdue' && b.count ? ' hot' : ''}`, testid: `queue-bucket-${b.id}`, 'aria-current': b.id === data.bucket ? 'true' : null },
        h('span', { class: 'bucket-name' }, bucketNames[b.id]), h('strong', { class: 'bucket-count' }, String(b.count))),
    ),
  );
  if (!data.buckets.length) {
    $('#queue-summary').textContent = '您没有需要处理的待办事项，可在“建议列表”中查看建议。';
    $('#queue-table').hidden = true;
    return;
  }
  $('#queue-table').hidden = false;
  for (const old of document.querySelectorAll('#view-queue > .result')) old.remove();
  flash($('#view-queue'));
  $('#queue-summary').textContent = data.bucket ? `${bucketNames[data.bucket]}：${data.items.length} 条，按期限先后排列` : '';
  const tbody = $('#queue-table tbody');
  tbody.replaceChildren(...data.items.map((s) => workRow(s, 'queue-row')));
  if (!data.items.length) tbody.append(h('tr', {}, h('td', { colspan: '6', class: 'muted' }, '这一类暂时没有待办。')));
}

function workRow(s, testid) {
  return h('tr', { 'data-reference': s.reference, class: urgency(s.work), testid },
    h('td', { 'data-label': '编号' }, h('a', { href: `#/s/${s.reference}` }, s.reference)),
    h('td', { 'data-label': '标题' }, s.title),
    h('td', { 'data-label': '状态' }, badge(s.status)),
    h('td', { 'data-label': '待谁办理' }, waitingText(s.work)),
    h('td', { 'data-label': '期限' }, s.work && s.work.dueAt ? fmtDay(s.work.dueAt) : ''),
    h('td', { 'data-label': '剩余', class: 'days' }, daysText(s.work)),
  );
}

// ---------- list ----------

function formParams(form) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim() !== '') params.set(k, String(v).trim());
  return params;
}
function fillForm(form, params) {
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') el.checked = params.get(el.name) === el.value;
    else el.value = params.get(el.name) || '';
  }
}

let listParams = new URLSearchParams();
let listRequests = 0;

async function renderList(params) {
  const page = Number(params.get('page') || '1');
  const filters = new URLSearchParams(params);
  filters.delete('page');
  const sortDue = filters.get('sort') === 'due';
  $('#sort-due').textContent = sortDue ? '期限 ↑' : '期限';
  $('#sort-due').setAttribute('aria-pressed', String(sortDue));
  listParams = filters;
  fillForm($('#filters'), filters);
  if ([...filters.keys()].some((k) => k !== 'text' && k !== 'sort')) {
    $('#filters').classList.remove('collapsed');
    $('#filters-more').setAttribute('aria-expanded', 'true');
    $('#filters-more').textContent = '收起条件';
  }
  const q = new URLSearchParams(filters);
  q.set('page', String(page));
  q.set('pageSize', String(state.pageSize));
  // Only the latest request draws the list: a slower earlier one (before a filter was applied) is ignored.
  const seq = ++listRequests;
  const data = await api(`/api/suggestions?${q}`);
  if (seq !== listRequests) return;
  const items = data.items;
  const tbody = $('#list-table tbody');
  tbody.replaceChildren(
    ...items.map((s) =>
      h('tr', { 'data-reference': s.reference, class: urgency(s.work), testid: 'list-row' },
        h('td', { 'data-label': '编号' }, h('a', { href: `#/s/${s.reference}` }, s.reference)),
        h('td', { 'data-label': '提交时间' }, fmt(s.submittedAt)),
        h('td', { 'data-label': '主题' }, s.themeName || ''),
        h('td', { 'data-label': '标题' }, s.title, s.valuable ? [' ', h('span', { class: 'badge valuable' }, '有价值')] : null, flagNames(s).length ? [' ', h('span', { class: 'badge flag', title: flagNames(s).join('；') }, '待甄别标记')] : null),
        h('td', { 'data-label': '建议人' }, s.proposer ? s.proposer.name : ''),
        h('td', { 'data-label': '承办单位' }, activeUnits(s).map(unitName).join('、')),
        h('td', { 'data-label': '状态', class: 'status' }, badge(s.status)),
        h('td', { 'data-label': '待谁办理' }, waitingText(s.work)),
        h('td', { 'data-label': '期限', class: 'days' }, s.work && s.work.dueAt ? `${fmtDay(s.work.dueAt)} ${daysText(s.work)}` : ''),
      ),
    ),
  );
  if (items.length === 0) tbody.append(h('tr', {}, h('td', { colspan: '9', class: 'muted' }, '没有符合条件的建议。')));
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const filtered = [...filters.keys()].some((k) => k !== 'sort');
  $('#list-summary').textContent = `共 ${data.total} 条${filtered ? '（已按条件筛选）' : ''}${sortDue ? '，按期限先后排列' : ''}`;
  $('#page-info').textContent = `第 ${data.page} / ${pages} 页`;
  $('#prev').disabled = data.page <= 1;
  $('#next').disabled = data.page >= pages;
  $('#prev').dataset.page = String(data.page - 1);
  $('#next').dataset.page = String(data.page + 1);
}

function goList(params, page) {
  const q = new URLSearchParams(params);
  if (page && page > 1) q.set('page', String(page));
  location.hash = `#/list${q.toString() ? `?${q}` : ''}`;
}

/** Downloads through fetch, so a refusal is shown in words instead of saving an error as a file. */
async function download(path, fallbackName) {
  try {
    const res = await api(path, { raw: true });
    const cd = res.headers.get('content-disposition') || '';
    const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
    const plain = /filename="([^"]+)"/.exec(cd);
    const name = m ? decodeURIComponent(m[1]) : plain ? plain[1] : fallbackName;
    const blob = await res.blob();
    const a = h('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (err) {
    showError(err);
  }
}

// ---------- detail ----------

/** What a suggestion's quality / scope flags mean to the office (the citizen insisted, or the scope is uncertain). */
const FLAG_NAMES = {
  scope_uncertain: '可能属于个人诉求、投诉或举报，请甄别',
  too_short: '可行性说明较简略（建议人坚持提交）',
  one_sentence: '内容只有一句话',
  vague: '内容偏大空虚',
  no_measure: '未提出具体措施',
  multiple_matters: '一条建议含多件事',
  unlawful: '可能不符合法规政策',
};
const flagNames = (s) => (s.qualityFlags || []).map((f) => FLAG_NAMES[f] || f);

function fields(pairs) {
  return h('dl', { class: 'fields' }, ...pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function renderDetail(reference) {
  const s = await api(`/api/suggestions/${encodeURIComponent(reference)}`);
  const assignments = (s.assignments || []).map((a) =>
    h('tr', { class: !a.returnedAt && a.active !== false && !a.answeredAt && s.work && s.work.units.some((u) => u.unit === a.unit && u.overdue) ? 'overdue' : '' },
      h('td', { 'data-label': '单位' }, unitName(a.unit)),
      h('td', { 'data-label': '交办' }, fmt(a.assignedAt)),
      h('td', { 'data-label': '受理期限' }, fmt(a.acceptDueAt)),
      h('td', { 'data-label': '受理' }, a.acceptedAt ? fmt(a.acceptedAt) : ''),
      h('td', { 'data-label': '答复期限' }, fmt(a.dueAt)),
      h('td', { 'data-label': '答复', class: 'pre' }, a.answer ? [L('outcomes', a.answer.outcome), a.answer.reason ? `暂不采纳原因：${a.answer.reason}` : '', a.answer.text || '', a.answeredAt ? `（${fmt(a.answeredAt)}）` : ''].filter(Boolean).join('\n') : ''),
      h('td', { 'data-label': '退回/结束' }, a.returnedAt ? `${fmt(a.returnedAt)} ${L('endReasons', a.endReason)}${a.returnReason ? `：${a.returnReason}` : ''}` : ''),
    ),
  );
  const history = (s.history || []).map((e) =>
    h('tr', {},
      h('td', { 'data-label': '时间' }, fmt(e.at)),
      h('td', { 'data-label': '操作人' }, actorName(e.actor)),
      h('td', { 'data-label': '操作' }, L('actions', e.action) || '其他操作'),
      h('td', { 'data-label': '状态' }, e.from && e.from !== e.to ? `${statusName(e.from)} → ${statusName(e.to)}` : statusName(e.to)),
      h('td', { 'data-label': '说明', class: 'pre' }, noteText(e)),
    ),
  );
  const ins = s.escalation && s.escalation.instruction;
  const cr = s.cityRecommendation;
  const cards = [
    h('div', { class: 'card' },
      h('h2', { id: 'detail-title' }, `${s.reference} ${s.title}`),
      fields([
        ['状态', h('span', { id: 'detail-status', testid: 'detail-status' }, badge(s.status))],
        ['待谁办理', waitingText(s.work) ? h('span', { class: urgency(s.work) }, `${waitingText(s.work)}${s.work.dueAt ? `，期限 ${fmtDay(s.work.dueAt)}（${daysText(s.work)}）` : ''}`) : ''],
        ['主题', s.themeName],
        ['类别', L('categories', s.category)],
        ['提交时间', fmt(s.submittedAt)],
        ['建议人', s.proposer ? `${s.proposer.name}（${s.proposer.unit}） ${s.proposer.phone}` : ''],
        ['代理录入', s.enteredBy && s.enteredBy.agent ? `${(state.meta.people || {})[s.enteredBy.agent] || s.enteredBy.agent}（${unitName(s.enteredBy.unit)}）` : ''],
        ['范围', L('levels', s.level)],
        ['有价值', s.valuable ? `是${s.valuableNote ? `：${s.valuableNote}` : ''}` : '否'],
        ['质量标记', flagNames(s).join('；')],
        ['建议内容', s.proposal],
        ['可行性分析', s.feasibility],
        ['承办单位', activeUnits(s).map(unitName).join('、')],
        ['区领导阅批', s.escalation ? (ins ? `${ins.leader}批示：${ins.text}` : `已呈报（${fmt(s.escalation.at)}），待批示`) : ''],
        ['推荐市征集办', cr ? `${fmt(cr.at)} ${cr.note || ''} · ${L('cityOutcomes', cr.outcome)}` : ''],
        ['表彰奖励', (s.awards || []).map((a) => `${a.year}年度 ${a.tierName}（${a.amountYuan}元）`).join('；')],
        ['不予受理理由', s.rejection ? s.rejection.reason : ''],
        ['重复建议', s.duplicateOf ? h('a', { href: `#/s/${s.duplicateOf.reference}` }, `与 ${s.duplicateOf.reference} 重复`) : ''],
        ['满意度', s.evaluation ? [L('ratings', s.evaluation.rating), s.evaluation.comment ? `意见：${s.evaluation.comment}` : ''].filter(Boolean).join('；') : ''],
      ]),
    ),
    ...[attachmentsCard(s, { h, api })].filter(Boolean),
    h('div', { class: 'card' }, h('h3', {}, '交办情况'),
      h('table', { class: 'grid cards', id: 'assignments' }, h('thead', {}, h('tr', {}, ...['单位', '交办', '受理期限', '受理', '答复期限', '答复', '退回/结束'].map((t) => h('th', {}, t)))), h('tbody', {}, assignments))),
  ];
  if (s.similar && s.similar.length) {
    cards.push(h('div', { class: 'card', testid: 'similar-panel' }, h('h3', {}, '相似建议'),
      h('ul', { class: 'similar' }, ...s.similar.map((x) => h('li', {},
        h('a', { href: `#/s/${x.reference}` }, `${x.reference} ${x.title}`), ' ', badge(x.status), ` 相似度 ${Math.round(x.score * 100)}%`,
        isOffice() && !s.duplicateOf ? [' ', h('button', { type: 'button', class: 'secondary small', testid: `mark-duplicate-${x.reference}`, onclick: (ev) => confirmInline(ev.target, `确认标记为与 ${x.reference} 重复？`, () => act(s.reference, 'duplicate', { of: x.reference }, ev.target.parentElement)) }, '标记为重复')] : null,
      )))));
  }
  if (s.internalNotes && s.internalNotes.length) {
    cards.push(h('div', { class: 'card' }, h('h3', {}, '内部备注（仅区信访办可见）'),
      h('ul', {}, ...s.internalNotes.map((n) => h('li', {}, `${fmt(n.at)} ${actorName(n.by)}：`, n.text)))));
  }
  cards.push(h('div', { class: 'card' }, h('h3', {}, '办理记录'),
    h('table', { class: 'grid cards', id: 'history' }, h('thead', {}, h('tr', {}, ...['时间', '操作人', '操作', '状态', '说明'].map((t) => h('th', {}, t)))), h('tbody', {}, history))));
  // The actions sit right under the suggestion, so their results are seen where the person is working.
  $('#detail').replaceChildren(cards[0], $('#actions'), ...cards.slice(1));
  renderActions(s);
}

/** Runs an action and shows the result next to where it was asked for. */
async function act(reference, path, body, resultBox) {
  const result = resultBox.querySelector('.result') || resultBox.appendChild(h('p', { class: 'result', role: 'status', testid: 'action-result' }));
  result.className = 'result';
  result.textContent = '正在提交…';
  try {
    await api(`/api/suggestions/${encodeURIComponent(reference)}/${path}`, { method: 'POST', body });
  } catch (err) {
    return failed(err);
  }
  sessionStorage.setItem('jianyan.flash', `${actionTitles[path] || '操作'}：已完成。`);
  try {
    await renderDetail(reference);
  } catch (err) {
    // Returned by a unit, it is no longer theirs to see: back to their queue, with the result.
    if (err instanceof ApiError && err.status === 404) location.hash = '#/queue';
    else showError(err);
  }
  async function failed(err) {
    result.className = 'result error';
    result.textContent = describeError(err);
    // A refusal because the state moved on: show the current state, keep the message.
    if (err instanceof ApiError && err.status === 409) {
      const message = result.textContent;
      await renderDetail(reference).catch(() => {});
      $('#actions').prepend(h('p', { class: 'result error', role: 'status', testid: 'action-result' }, message));
    }
  }
}

/** The result of the last action, shown once where the person landed. */
function flash(box) {
  const text = sessionStorage.getItem('jianyan.flash');
  if (!text) return;
  sessionStorage.removeItem('jianyan.flash');
  const p = h('p', { class: 'result ok', role: 'status', testid: 'action-result' }, text);
  box.prepend(p);
  p.scrollIntoView({ block: 'nearest' });
}

/** Replaces a button by a question with 确认 / 取消 (no browser dialogs). */
function confirmInline(button, question, run) {
  const box = h('span', { class: 'confirm', role: 'group' },
    h('strong', {}, question), ' ',
    h('button', { type: 'button', testid: 'confirm-yes', onclick: () => { box.replaceWith(button); run(); } }, '确认'), ' ',
    h('button', { type: 'button', class: 'secondary', testid: 'confirm-no', onclick: () => box.replaceWith(button) }, '取消'),
  );
  button.replaceWith(box);
  box.querySelector('button').focus();
}

const actionTitles = {
  assign: '交办', reassign: '改派', reject: '不予受理', valuable: '有价值标记', escalate: '呈报区领导阅批', instruction: '记录区领导批示',
  'recommend-city': '推荐市征集办', 'city-outcome': '记录市级采纳结果', awards: '提名表彰奖励', close: '办结', notes: '内部备注', correct: '更正信息',
  duplicate: '标记重复', accept: '受理', return: '退回', answer: '答复',
};

/**
 * An action: a button that opens its form; `confirm` (a question) for final or citizen-visible steps.
 * The result appears inside the form, next to the submit button.
 */
function actionForm(s, id, path, title, controls, collect, { confirm, primary } = {}) {
  const form = h('form', { id: `act-${id}`, class: 'action-form', testid: `action-form-${id}`, hidden: true });
  const submit = h('button', { type: 'submit', testid: `action-submit-${id}` }, confirm ? `${title}…` : '提交');
  form.append(h('h3', {}, title), ...controls, h('div', { class: 'form-buttons' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => { form.hidden = true; opener.hidden = false; } }, '收起')));
  const opener = h('button', { type: 'button', class: primary ? '' : 'secondary', testid: `action-${id}`, onclick: () => { opener.hidden = true; form.hidden = false; const f = form.querySelector('input,select,textarea,button'); if (f) f.focus(); } }, title);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const run = () => act(s.reference, path, collect(new FormData(form), form), form);
    if (confirm) confirmInline(submit, confirm, run);
    else void run();
  });
  return h('div', { class: 'action' }, opener, form);
}

function unitChecks(name, checked = []) {
  return h('fieldset', { class: 'unit-checks' }, h('legend', {}, '承办单位'), ...state.meta.units.filter((u) => u.id !== state.meta.collectingOffice).map((u) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: u.id, checked: checked.includes(u.id) }), u.name)));
}
const textInput = (name, text, attrs = {}) => h('label', {}, text, h('input', { name, maxlength: '200', ...attrs }));
const textArea = (name, text, attrs = {}) => h('label', {}, text, h('textarea', { name, maxlength: '2000', ...attrs }));
const opt = (fd, k) => { const v = String(fd.get(k) || '').trim(); return v === '' ? undefined : v; };
const selectOf = (name, text, pairs, attrs = {}) => h('label', {}, text, h('select', { name, ...attrs }, ...pairs.map(([v, t]) => h('option', { value: v }, t))));

/** Only the actions allowed in the suggestion's current state, for the signed-in person's role. */
function renderActions(s) {
  const box = $('#actions');
  const forms = [];
  const st = s.status;
  const dead = ['rejected', 'withdrawn'].includes(st);
  const outcomes = Object.entries(labels().outcomes);
  if (isOffice()) {
    if (['submitted', 'returned', 'escalated', 'answered'].includes(st)) {
      forms.push(actionForm(s, 'assign', 'assign', st === 'submitted' ? '交办' : '重新交办', [unitChecks('units'), textInput('note', '交办说明')], (fd) => ({ units: fd.getAll('units'), note: opt(fd, 'note') }), { primary: ['submitted', 'returned'].includes(st) }));
    }
    if (['assigned', 'accepted'].includes(st)) {
      forms.push(actionForm(s, 'reassign', 'reassign', '改派', [unitChecks('units', activeUnits(s)), textInput('note', '改派说明')], (fd) => ({ units: fd.getAll('units'), note: opt(fd, 'note') })));
    }
    if (['answered', 'evaluated', 'escalated'].includes(st)) {
      forms.push(actionForm(s, 'close', 'close', '办结', [textInput('note', '办结说明（可选）')], (fd) => ({ note: opt(fd, 'note') }), { confirm: '办结后不能再交办或答复，确认办结？', primary: st !== 'answered' }));
    }
    if (['submitted', 'assigned', 'returned', 'escalated'].includes(st)) {
      forms.push(actionForm(s, 'reject', 'reject', '不予受理', [textArea('reason', '理由（将发送给建议人）', { required: true, minlength: '2' })], (fd) => ({ reason: opt(fd, 'reason') || '' }), { confirm: '不予受理是最终决定，理由会发送给建议人。确认不予受理？' }));
    }
    if (!s.escalation && !dead) {
      forms.push(actionForm(s, 'escalate', 'escalate', '呈报区领导阅批', [textInput('note', '呈报说明')], (fd) => ({ note: opt(fd, 'note') })));
    }
  }
  if ((isOffice() || role() === 'leader') && s.escalation && !s.escalation.instruction) {
    forms.push(actionForm(s, 'instruction', 'instruction', '记录区领导批示', [
      textInput('leader', '批示领导', { required: true, maxlength: '60', value: role() === 'leader' ? state.me.name || '' : '' }),
      textArea('text', '批示内容', { required: true }),
      unitChecks('assignTo'),
    ], (fd) => {
      const assignTo = fd.getAll('assignTo');
      return { leader: opt(fd, 'leader') || '', text: opt(fd, 'text') || '', ...(assignTo.length ? { assignTo } : {}) };
    }, { primary: true }));
  }
  if (isOffice()) {
    if (!s.cityRecommendation && !dead && !['assigned', 'accepted'].includes(st)) {
      forms.push(actionForm(s, 'recommend', 'recommend-city', '推荐市征集办', [textArea('note', '推荐理由')], (fd) => ({ note: opt(fd, 'note') }), { confirm: '推荐后会告知建议人。确认推荐市征集办？' }));
    }
    if (s.cityRecommendation && s.cityRecommendation.outcome === 'pending') {
      forms.push(actionForm(s, 'city-outcome', 'city-outcome', '记录市级采纳结果', [selectOf('outcome', '结果', [['adopted', L('cityOutcomes', 'adopted')], ['not_adopted', L('cityOutcomes', 'not_adopted')]]), textInput('note', '说明')], (fd) => ({ outcome: opt(fd, 'outcome'), note: opt(fd, 'note') }), { primary: true }));
    }
    if (!dead) {
      forms.push(actionForm(s, 'valuable', 'valuable', s.valuable ? '取消有价值标记' : '标记为有价值建议', [textInput('note', '说明')], (fd) => ({ valuable: !s.valuable, note: opt(fd, 'note') })));
    }
    const adopted = (s.cityRecommendation && s.cityRecommendation.outcome === 'adopted') || (s.escalation && s.escalation.instruction && (s.assignments || []).some((a) => a.answer && ['adopted', 'partially_adopted'].includes(a.answer.outcome)));
    if (adopted && state.meta.awardTiers.length) {
      forms.push(actionForm(s, 'award', 'awards', '提名表彰奖励', [
        selectOf('year', '年度', state.meta.awardYears.map((y) => [String(y), `${y}年度`])),
        selectOf('tier', '等次', state.meta.awardTiers.map((t) => [t.id, `${t.name}（${t.amountYuan}元）`])),
        textInput('note', '说明'),
      ], (fd) => ({ year: Number(fd.get('year')), tier: opt(fd, 'tier'), note: opt(fd, 'note') })));
    }
    forms.push(actionForm(s, 'correct', 'correct', '更正主题、类别或标题', [
      selectOf('theme', '主题', [['', '不变'], ...state.meta.themes.map((t) => [t.id, t.name])]),
      selectOf('category', '类别', [['', '不变'], ...state.meta.categories.map((c) => [c.id, c.label])]),
      textInput('title', '标题', { maxlength: '100', placeholder: s.title }),
      textInput('note', '更正原因'),
    ], (fd) => ({ theme: opt(fd, 'theme'), category: opt(fd, 'category'), title: opt(fd, 'title'), note: opt(fd, 'note') })));
    forms.push(actionForm(s, 'note', 'notes', '添加内部备注', [textArea('text', '备注（仅区信访办可见）', { required: true })], (fd) => ({ text: opt(fd, 'text') || '' })));
  }
  const mine = role() === 'unit' ? activeAssignments(s).find((a) => a.unit === state.me.unit && !a.answeredAt) : undefined;
  if (mine) {
    if (!mine.acceptedAt) {
      forms.push(actionForm(s, 'accept', 'accept', '受理', [h('p', { class: 'muted' }, '受理后建议人会收到通知，请在答复期限内办理答复。')], () => ({}), { primary: true }));
      forms.push(actionForm(s, 'return', 'return', '退回', [textArea('reason', '退回理由（例如：不属于本单位职责，建议交区某某部门）', { required: true, minlength: '2' })], (fd) => ({ reason: opt(fd, 'reason') || '' }), { confirm: '退回后区信访办会重新交办。确认退回？' }));
    }
    forms.push(actionForm(s, 'answer', 'answer', '答复', [
      selectOf('outcome', '办理结果', outcomes, { testid: 'answer-outcome' }),
      textArea('reason', '暂不采纳的原因（选择“暂不采纳”时必填：先肯定建言的良好出发点，再说明暂不可行的原因）'),
      textArea('text', '答复内容（将原文发送给建议人）', { required: true, minlength: '10' }),
    ], (fd) => ({ outcome: opt(fd, 'outcome'), text: opt(fd, 'text') || '', reason: opt(fd, 'reason') }), { confirm: '答复会原文发送给建议人。确认发送？', primary: Boolean(mine.acceptedAt) }));
  }
  box.replaceChildren(...(forms.length ? [h('h3', { class: 'actions-title' }, '可以进行的操作'), h('div', { class: 'action-list' }, ...forms)] : [h('p', { class: 'muted' }, '当前状态下您没有需要进行的操作。')]));
  flash(box);
  if (isOffice() && s.cityRecommendation) {
    const btn = h('button', { type: 'button', class: 'secondary', id: 'city-form-btn' }, '生成市级上报表');
    btn.addEventListener('click', async () => {
      try {
        const form = await api(`/api/suggestions/${encodeURIComponent(s.reference)}/city-form`);
        const pre = h('textarea', { id: 'city-form', readonly: true, rows: '16' });
        pre.value = form.text;
        btn.replaceWith(h('div', { class: 'card' }, h('h3', {}, '市级上报表（可复制录入市信访信息系统）'), pre));
      } catch (err) { showError(err); }
    });
    box.append(h('div', {}, btn));
  }
}

// ---------- statistics ----------

function barChart(title, buckets, param) {
  const rowH = 24, labelW = 150, width = 460, max = Math.max(1, ...buckets.map((b) => b.count));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${Math.max(1, buckets.length) * rowH + 4}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${title}：${buckets.map((b) => `${b.label} ${b.count}`).join('，')}`);
  buckets.forEach((b, i) => {
    const y = i * rowH + 2;
    const g = document.createElementNS(SVG, 'a');
    // A bar opens the list with the same filter (where one exists for it).
    if (param === 'month' && /^\d{4}-\d{2}$/.test(b.key)) {
      // A month opens the list of that month (its first to its last day).
      const [y, m] = b.key.split('-').map(Number);
      const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      g.setAttribute('href', `#/list?${new URLSearchParams({ ...statsFilters(), from: `${b.key}-01`, to: `${b.key}-${String(last).padStart(2, '0')}` })}`);
    } else if (param && param !== 'month' && b.key && b.key !== 'none') g.setAttribute('href', `#/list?${new URLSearchParams({ ...statsFilters(), [param]: b.key })}`);
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', '0'); t.setAttribute('y', String(y + 16));
    t.textContent = b.label.length > 10 ? `${b.label.slice(0, 10)}…` : b.label;
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('class', 'bar'); r.setAttribute('x', String(labelW)); r.setAttribute('y', String(y + 4));
    r.setAttribute('height', String(rowH - 8)); r.setAttribute('width', String(((width - labelW - 40) * b.count) / max));
    const n = document.createElementNS(SVG, 'text');
    n.setAttribute('x', String(labelW + ((width - labelW - 40) * b.count) / max + 4)); n.setAttribute('y', String(y + 16));
    n.textContent = String(b.count);
    g.append(t, r, n);
    svg.append(g);
  });
  return h('div', { class: 'card chart', 'data-chart': title }, h('h3', {}, title), buckets.length ? svg : h('p', { class: 'muted' }, '暂无数据'));
}

let currentStatsFilters = new URLSearchParams();
const statsFilters = () => Object.fromEntries(currentStatsFilters);

function scopeText(params) {
  const parts = [];
  const from = params.get('from'), to = params.get('to');
  parts.push(from || to ? `提交时间 ${from || '最早'} 至 ${to || '今天'}` : '全部时间');
  if (params.get('theme')) parts.push(`主题：${(state.meta.themes.find((t) => t.id === params.get('theme')) || {}).name || ''}`);
  if (params.get('category')) parts.push(`类别：${L('categories', params.get('category'))}`);
  if (params.get('unit')) parts.push(`承办单位：${unitName(params.get('unit'))}`);
  const scope = role() === 'unit' || role() === 'agent' ? `本单位（${state.me.unitName}）` : params.get('unit') ? '' : '全区合计';
  return `统计范围：${[scope, ...parts].filter(Boolean).join(' · ')}`;
}

async function renderStats(params) {
  currentStatsFilters = new URLSearchParams([...params].filter(([k]) => ['from', 'to', 'theme', 'category', 'unit'].includes(k)));
  fillForm($('#stats-filters'), currentStatsFilters);
  $('#stats-scope').textContent = scopeText(currentStatsFilters);
  const st = await api(`/api/stats?${currentStatsFilters}`);
  const pct = (r) => (r.rate === null ? '暂无' : `${(r.rate * 100).toFixed(1)}%`);
  const rate = (id, title, r) => h('div', { class: 'rate', id, testid: id }, title, h('strong', {}, pct(r)), h('span', { class: 'muted' }, `${r.numerator} / ${r.denominator}`));
  const c = st.campaign || {};
  const rateCells = (r) => [r.response, r.answer, r.adoption, r.satisfaction].map((x) => h('td', { class: 'num' }, h('span', {}, pct(x), h('span', { class: 'muted' }, ` ${x.numerator}/${x.denominator}`))));
  // Units with suggestions in scope only: the district has some 80 units, most with none in a given period.
  const withItems = (st.byUnitRates || []).filter((u) => u.total > 0);
  const idleUnits = (st.byUnitRates || []).length - withItems.length;
  const unitRows = withItems.map((u) => h('tr', {}, h('td', { 'data-label': '单位' }, h('a', { href: `#/list?${new URLSearchParams({ ...statsFilters(), unit: u.unit })}` }, u.unitName)), h('td', { class: 'num', 'data-label': '件数' }, String(u.total)), ...rateCells(u.rates).map((td, i) => (td.setAttribute('data-label', ['按时受理率', '按期答复率', '采纳率', '满意率'][i]), td))));
  $('#stats').replaceChildren(
    h('p', { testid: 'stats-total' }, `共 ${st.total} 条建议`),
    h('div', { class: 'rates' },
      rate('rate-response', '按时受理率', st.rates.response),
      rate('rate-answer', '按期答复率', st.rates.answer),
      rate('rate-adoption', '采纳率', st.rates.adoption),
      rate('rate-satisfaction', '满意率', st.rates.satisfaction),
    ),
    h('div', { class: 'card', testid: 'campaign-counts' }, h('h3', {}, '征集活动情况'),
      h('div', { class: 'counts' }, ...[
        ['有价值建议', c.valuable], ['呈报区领导', c.escalated], ['区领导批示', c.instructed], ['推荐市征集办', c.recommended], ['市级采纳', c.cityAdopted], ['获表彰奖励', c.awarded],
      ].map(([k, v]) => h('div', { class: 'count' }, h('span', { class: 'muted' }, k), h('strong', {}, String(v ?? 0)))))),
    unitRows.length ? h('div', { class: 'card' }, h('h3', {}, '各承办单位办理情况'),
      h('table', { class: 'grid cards', testid: 'unit-rates' }, h('thead', {}, h('tr', {}, ...['单位', '件数', '按时受理率', '按期答复率', '采纳率', '满意率'].map((t) => h('th', {}, t)))), h('tbody', {}, unitRows)),
      idleUnits > 0 ? h('p', { class: 'muted' }, `其余 ${idleUnits} 个单位在此范围内暂无承办的建议。`) : null) : null,
    h('div', { class: 'charts' },
      barChart('按主题', st.byTheme, 'theme'), barChart('按类别', st.byCategory, 'category'), barChart('按承办单位', st.byUnit, role() === 'office' || role() === 'leader' ? 'unit' : null),
      barChart('按状态', st.byStatus, 'status'), barChart('按月份', st.byMonth, 'month'),
    ),
  );
}

// ---------- awards, quota, audit ----------

async function renderAwards() {
  if (!isOffice()) { $('#awards').replaceChildren(h('p', { class: 'muted' }, '表彰奖励由区信访办管理。')); return; }
  const data = await api('/api/awards');
  $('#awards').replaceChildren(
    h('div', { class: 'card' }, h('h3', {}, '奖励等次'), h('p', {}, data.tiers.map((t) => `${t.name} ${t.amountYuan}元`).join('；') || '暂未设置', data.announcedTiers && data.announcedTiers > data.tiers.length ? `（通知设${data.announcedTiers}个等次，其余等次未公布）` : '')),
    h('table', { class: 'grid cards', id: 'awards-table' },
      h('thead', {}, h('tr', {}, ...['年度', '等次', '奖金（元）', '编号', '标题', '建议人', '提名人'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.items.length ? data.items.map((a) => h('tr', {}, h('td', { 'data-label': '年度' }, String(a.year)), h('td', { 'data-label': '等次' }, a.tierName), h('td', { 'data-label': '奖金（元）' }, String(a.amountYuan)), h('td', { 'data-label': '编号' }, h('a', { href: `#/s/${a.reference}` }, a.reference)), h('td', { 'data-label': '标题' }, a.title), h('td', { 'data-label': '建议人' }, a.proposerName), h('td', { 'data-label': '提名人' }, actorName(a.nominatedBy)))) : h('tr', {}, h('td', { colspan: '7', class: 'muted' }, '暂无提名。'))),
    ),
  );
}

function rowsTable(rows, testid) {
  const [header, ...body] = rows;
  return h('table', { class: 'grid cards', testid },
    h('thead', {}, h('tr', {}, ...header.map((t) => h('th', {}, t)))),
    h('tbody', {}, body.length ? body.map((r) => h('tr', {}, ...r.map((v, i) => h('td', { 'data-label': header[i], class: quotaClass[v] || null }, v)))) : h('tr', {}, h('td', { colspan: String(header.length), class: 'muted' }, '暂无数据'))),
  );
}

let quotaQuery = new URLSearchParams();
// The quota result cell in colour: 未达标 red, 达标 green (the words come from the label dictionary).
const quotaClass = {};
function fillQuotaClass() {
  const q = labels().quotaStatuses || {};
  if (q.behind) quotaClass[q.behind] = 'q-behind';
  if (q.met) quotaClass[q.met] = 'q-met';
}
async function renderQuota(params) {
  const form = $('#quota-form');
  quotaQuery = new URLSearchParams([...params].filter(([k]) => k === 'year' || k === 'quarter'));
  let report;
  try {
    report = await api(`/api/agents/quota-report${quotaQuery.get('year') ? `?${quotaQuery}` : ''}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) { $('#quota').replaceChildren(h('p', { class: 'muted' }, '代理录入考核报表暂未启用。')); return; }
    throw err;
  }
  const years = new Set((state.meta.awardYears || []).concat([report.year, report.year - 1]));
  form.elements.year.replaceChildren(...[...years].sort().map((y) => h('option', { value: String(y) }, `${y}年`)));
  form.elements.year.value = String(report.year);
  form.elements.quarter.value = String(report.quarter);
  quotaQuery = new URLSearchParams({ year: String(report.year), quarter: String(report.quarter) });
  fillQuotaClass();
  const sm = report.summary;
  $('#quota').replaceChildren(
    h('p', { testid: 'quota-summary' }, `${report.year}年第${report.quarter}季度（${fmtDay(report.from)} 至 ${fmtDay(new Date(Date.parse(report.to) - 1).toISOString())}）：共 ${sm.units} 个单位，达标 ${sm.met} 个，未达标 ${sm.behind} 个，进行中 ${sm.inProgress} 个。每次录入不少于 ${report.minPerOccasion} 件计为一次。`),
    h('div', { class: 'card' }, h('h3', {}, '各单位达标情况'), rowsTable(report.table.summary, 'quota-table')),
    h('details', { class: 'card' }, h('summary', {}, `计入明细（${report.table.detail.length - 1} 件）`), rowsTable(report.table.detail, 'quota-detail')),
  );
}

async function renderAudit() {
  const data = await api('/api/audit?pageSize=100');
  const summary = (v) => (v && typeof v === 'object' ? Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => `${auditFieldNames[k] || '其他'}：${k === 'status' ? statusName(x) : typeof x === 'object' ? '已记录' : String(x)}`).join('；') : '');
  $('#audit').replaceChildren(
    h('table', { class: 'grid cards', id: 'audit-table' },
      h('thead', {}, h('tr', {}, ...['时间', '操作人', '操作', '对象', '变更前', '变更后'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.items.map((e) => h('tr', {}, h('td', { 'data-label': '时间' }, fmt(e.at)), h('td', { 'data-label': '操作人' }, actorName(e.actor)), h('td', { 'data-label': '操作' }, L('actions', e.action) || '其他操作'), h('td', { 'data-label': '对象' }, h('a', { href: `#/s/${e.target}` }, e.target)), h('td', { class: 'pre', 'data-label': '变更前' }, summary(e.before)), h('td', { class: 'pre', 'data-label': '变更后' }, summary(e.after))))),
    ),
  );
}
const auditFieldNames = { status: '状态', valuable: '有价值', valuableNote: '说明', escalation: '阅批', cityRecommendation: '推荐市征集办', level: '范围', awards: '表彰', theme: '主题', themeName: '主题名称', category: '类别', title: '标题', internalNotes: '内部备注', duplicateOf: '重复建议' };

// ---------- start ----------

document.addEventListener('DOMContentLoaded', () => {
  $('#signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('#signin-error').textContent = '';
    try {
      await api('/auth/token', { method: 'POST', body: { token: $('#token').value.trim() } });
      $('#token').value = '';
      await start();
    } catch (err) {
      $('#signin-error').textContent = err instanceof ApiError && err.status === 401 ? '令牌无效，请检查后重试。' : describeError(err);
    }
  });
  $('#filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = formParams($('#filters'));
    if (listParams.get('sort')) q.set('sort', listParams.get('sort'));
    goList(q);
  });
  $('#filter-reset').addEventListener('click', () => goList(new URLSearchParams()));
  $('#filters-more').addEventListener('click', () => {
    const collapsed = $('#filters').classList.toggle('collapsed');
    $('#filters-more').setAttribute('aria-expanded', String(!collapsed));
    $('#filters-more').textContent = collapsed ? '更多条件' : '收起条件';
  });
  // Sorting by due date is part of the address, like the filters: it survives a reload.
  $('#sort-due').addEventListener('click', () => {
    const q = new URLSearchParams(listParams);
    if (q.get('sort') === 'due') q.delete('sort'); else q.set('sort', 'due');
    goList(q);
  });
  $('#prev').addEventListener('click', () => goList(listParams, Number($('#prev').dataset.page)));
  $('#next').addEventListener('click', () => goList(listParams, Number($('#next').dataset.page)));
  // The export is the filtered list (its order is the file's own: newest first).
  const exportParams = () => { const q = new URLSearchParams(listParams); q.delete('sort'); return q; };
  $('#export-csv').addEventListener('click', () => void download(`/api/suggestions/export.csv?${exportParams()}`, '人民建议.csv'));
  $('#export-xlsx').addEventListener('click', () => void download(`/api/suggestions/export.xlsx?${exportParams()}`, '人民建议.xlsx'));
  $('#stats-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = formParams($('#stats-filters'));
    location.hash = `#/stats${q.toString() ? `?${q}` : ''}`;
  });
  $('#stats-reset').addEventListener('click', () => { location.hash = '#/stats'; });
  $('#quota-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/quota?${formParams($('#quota-form'))}`;
  });
  $('#quota-xlsx').addEventListener('click', () => void download(`/api/agents/quota-report.xlsx?${quotaQuery}`, '代理录入考核.xlsx'));
  $('#quota-csv').addEventListener('click', () => void download(`/api/agents/quota-report.csv?${quotaQuery}`, '代理录入考核.csv'));
  window.addEventListener('hashchange', () => { void route(); });
  void start();
});
