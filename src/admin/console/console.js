// The office console: plain DOM, no framework. Every value from the server is inserted as text
// (textContent / attribute values), never as HTML, and the page's CSP allows no inline script.
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
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const state = {
  token: sessionStorage.getItem('jianyan.token') || '',
  operator: sessionStorage.getItem('jianyan.operator') || '',
  me: null,
  meta: null,
  filters: new URLSearchParams(),
  page: 1,
  pageSize: 20,
};

class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { authorization: `Bearer ${state.token}` };
  if (state.operator) headers['x-operator'] = encodeURIComponent(state.operator);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signOut('令牌无效或已失效，请重新登录。');
    throw new ApiError(401, null);
  }
  if (!res.ok) {
    let payload = null;
    try { payload = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, payload);
  }
  return raw ? res : res.json();
}

function describeError(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  const details = err.body && Array.isArray(err.body.details) ? err.body.details.map((d) => `${d.path}: ${d.message}`).join('；') : '';
  const prefix = { 400: '输入有误', 403: '无权操作', 404: '未找到', 409: '状态不允许' }[err.status] || `错误 ${err.status}`;
  return `${prefix}：${err.message}${details ? `（${details}）` : ''}`;
}

function showError(err) {
  $('#error').textContent = err ? describeError(err) : '';
}

const label = (list, id) => (list.find((x) => x.id === id) || {}).label || (list.find((x) => x.id === id) || {}).name || id || '';
const unitName = (id) => label(state.meta.units, id);
const statusName = (id) => label(state.meta.statuses, id);
const fmt = (iso) => {
  if (!iso) return '';
  // The service's time zone (Asia/Shanghai), not the browser's: a 10:00 submission reads 10:00 everywhere.
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: (state.meta && state.meta.timezone) || 'Asia/Shanghai',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const v = (type) => (parts.find((x) => x.type === type) || {}).value || '';
  return `${v('year')}-${v('month')}-${v('day')} ${v('hour')}:${v('minute')}`;
};
const activeUnits = (s) => (s.assignments || []).filter((a) => !a.returnedAt && a.active !== false).map((a) => a.unit);
const isOffice = () => state.me && state.me.kind === 'office';

// ---------- sign-in ----------

async function signIn(token, operator) {
  state.token = token;
  state.operator = operator;
  try {
    state.me = await api('/api/me');
    state.meta = await api('/api/meta');
  } catch (err) {
    state.token = '';
    $('#signin-error').textContent = err instanceof ApiError && err.status === 401 ? '令牌无效，请检查后重试。' : describeError(err);
    return false;
  }
  sessionStorage.setItem('jianyan.token', token);
  sessionStorage.setItem('jianyan.operator', operator);
  $('#signin').hidden = true;
  $('#nav').hidden = false;
  for (const a of document.querySelectorAll('#nav [data-office]')) a.hidden = !isOffice();
  const who = $('#who');
  who.replaceChildren(
    state.me.kind === 'office' ? '区信访办' : state.me.unitName,
    state.operator ? ` · ${state.operator}` : '',
    h('button', { type: 'button', class: 'secondary', id: 'signout', onclick: () => signOut() }, '退出'),
  );
  fillFilterOptions();
  route();
  return true;
}

function signOut(message) {
  sessionStorage.removeItem('jianyan.token');
  state.token = '';
  state.me = null;
  $('#nav').hidden = true;
  $('#who').replaceChildren();
  for (const v of document.querySelectorAll('.view')) v.hidden = true;
  $('#signin').hidden = false;
  $('#signin-error').textContent = message || '';
}

function fillFilterOptions() {
  const form = $('#filters');
  const fill = (name, items, text) => {
    const sel = form.elements[name];
    sel.replaceChildren(h('option', { value: '' }, '全部'), ...items.map((i) => h('option', { value: i.id }, text(i))));
  };
  fill('status', state.meta.statuses, (s) => s.label);
  fill('theme', state.meta.themes, (t) => t.name);
  fill('category', state.meta.categories, (c) => c.label);
  fill('unit', state.meta.units, (u) => u.name);
}

// ---------- routing ----------

function show(view) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${view}`;
  for (const a of document.querySelectorAll('#nav a[data-view]')) a.classList.toggle('active', a.dataset.view === view);
}

async function route() {
  if (!state.me) return;
  showError(null);
  const hash = location.hash || '#/list';
  const detail = /^#\/s\/([A-Za-z0-9-]+)$/.exec(hash);
  try {
    if (detail) { show('detail'); await renderDetail(detail[1]); }
    else if (hash === '#/stats') { show('stats'); await renderStats(); }
    else if (hash === '#/awards') { show('awards'); await renderAwards(); }
    else if (hash === '#/quota') { show('quota'); await renderQuota(); }
    else if (hash === '#/audit') { show('audit'); await renderAudit(); }
    else { show('list'); await renderList(); }
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) showError(err);
  }
}

// ---------- list ----------

function readFilters() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('#filters'))) if (String(v).trim() !== '') params.set(k, String(v).trim());
  return params;
}

async function renderList() {
  const params = new URLSearchParams(state.filters);
  params.set('page', String(state.page));
  params.set('pageSize', String(state.pageSize));
  const data = await api(`/api/suggestions?${params}`);
  const tbody = $('#list-table tbody');
  tbody.replaceChildren(
    ...data.items.map((s) =>
      h('tr', { 'data-reference': s.reference },
        h('td', {}, h('a', { href: `#/s/${s.reference}` }, s.reference)),
        h('td', {}, fmt(s.submittedAt)),
        h('td', {}, s.themeName || s.theme),
        h('td', {}, s.title, s.valuable ? [' ', h('span', { class: 'badge' }, '有价值')] : null),
        h('td', {}, s.proposer ? s.proposer.name : ''),
        h('td', {}, activeUnits(s).map(unitName).join('、')),
        h('td', { class: 'status' }, statusName(s.status)),
      ),
    ),
  );
  if (data.items.length === 0) tbody.append(h('tr', {}, h('td', { colspan: '7', class: 'muted' }, '没有符合条件的建议。')));
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  $('#list-summary').textContent = `共 ${data.total} 条`;
  $('#page-info').textContent = `第 ${data.page} / ${pages} 页`;
  $('#prev').disabled = data.page <= 1;
  $('#next').disabled = data.page >= pages;
}

async function download(kind) {
  try {
    const res = await api(`/api/suggestions/export.${kind}?${state.filters}`, { raw: true });
    const blob = await res.blob();
    const a = h('a', { href: URL.createObjectURL(blob), download: `人民建议.${kind}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (err) {
    showError(err);
  }
}

// ---------- detail ----------

function fields(pairs) {
  return h('dl', { class: 'fields' }, ...pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function renderDetail(reference) {
  const s = await api(`/api/suggestions/${encodeURIComponent(reference)}`);
  const detail = $('#detail');
  const assignments = (s.assignments || []).map((a) =>
    h('tr', {},
      h('td', {}, unitName(a.unit)),
      h('td', {}, fmt(a.assignedAt)),
      h('td', {}, fmt(a.dueAt)),
      h('td', {}, a.acceptedAt ? fmt(a.acceptedAt) : ''),
      h('td', { class: 'pre' }, a.answer ? `${a.answer.outcome || ''} ${a.answer.text || ''}`.trim() : ''),
      h('td', {}, a.returnedAt ? `${fmt(a.returnedAt)} ${a.returnReason || a.endReason || ''}` : ''),
    ),
  );
  const history = (s.history || []).map((e) =>
    h('tr', {}, h('td', {}, fmt(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, e.from ? `${statusName(e.from)} → ${statusName(e.to)}` : statusName(e.to)), h('td', { class: 'pre' }, e.note || '')),
  );
  const ins = s.escalation && s.escalation.instruction;
  detail.replaceChildren(
    h('div', { class: 'card' },
      h('h2', { id: 'detail-title' }, `${s.reference} ${s.title}`),
      fields([
        ['状态', h('span', { id: 'detail-status' }, statusName(s.status))],
        ['主题', s.themeName],
        ['类别', s.category ? label(state.meta.categories, s.category) : ''],
        ['提交时间', fmt(s.submittedAt)],
        ['建议人', s.proposer ? `${s.proposer.name}（${s.proposer.unit}） ${s.proposer.phone}` : ''],
        ['代理录入', s.enteredBy ? `${s.enteredBy.agent}（${unitName(s.enteredBy.unit)}）` : ''],
        ['范围', s.level === 'city' ? '涉及全市' : '涉及万州区'],
        ['有价值', s.valuable ? `是${s.valuableNote ? `：${s.valuableNote}` : ''}` : '否'],
        ['建议内容', s.proposal],
        ['可行性分析', s.feasibility],
        ['承办单位', activeUnits(s).map(unitName).join('、')],
        ['区领导阅批', s.escalation ? (ins ? `${ins.leader}批示：${ins.text}` : `已呈报（${fmt(s.escalation.at)}），待批示`) : ''],
        ['推荐市征集办', s.cityRecommendation ? `${fmt(s.cityRecommendation.at)} ${s.cityRecommendation.note || ''} · ${({ pending: '待反馈', adopted: '市级采纳', not_adopted: '市级未采纳' })[s.cityRecommendation.outcome] || ''}` : ''],
        ['表彰奖励', (s.awards || []).map((a) => `${a.year}年度 ${a.tierName}（${a.amountYuan}元）`).join('；')],
        ['不予受理理由', s.rejection ? s.rejection.reason : ''],
        ['满意度', s.evaluation ? `${s.evaluation.rating || ''} ${s.evaluation.comment || ''}` : ''],
      ]),
    ),
    ...[attachmentsCard(s, { h, api })].filter(Boolean),
    h('div', { class: 'card' }, h('h3', {}, '交办情况'),
      h('table', { class: 'grid', id: 'assignments' }, h('thead', {}, h('tr', {}, ...['单位', '交办', '答复期限', '受理', '答复', '退回/结束'].map((t) => h('th', {}, t)))), h('tbody', {}, assignments))),
    h('div', { class: 'card' }, h('h3', {}, '办理记录'),
      h('table', { class: 'grid', id: 'history' }, h('thead', {}, h('tr', {}, ...['时间', '操作人', '操作', '状态', '说明'].map((t) => h('th', {}, t)))), h('tbody', {}, history))),
  );
  renderActions(s);
}

function unitChecks(name) {
  return h('div', { class: 'unit-checks' }, ...state.meta.units.map((u) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: u.id }), u.name)));
}

/** An action form: `collect(form)` builds the body; the result reloads the detail. */
function actionForm(id, title, controls, path, collect, { submitText = '提交' } = {}) {
  const result = $('#action-result');
  const form = h('form', { id, 'data-path': path }, h('h3', {}, title), ...controls, h('button', { type: 'submit' }, submitText));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.textContent = '';
    result.className = '';
    const ref = $('#actions').dataset.reference;
    try {
      await api(`/api/suggestions/${encodeURIComponent(ref)}/${path}`, { method: 'POST', body: collect(new FormData(form), form) });
      await renderDetail(ref);
      $('#action-result').textContent = `${title}：已完成。`;
    } catch (err) {
      result.className = 'error';
      result.textContent = describeError(err);
    }
  });
  return form;
}

const textInput = (name, text, attrs = {}) => h('label', {}, text, h('input', { name, maxlength: '200', ...attrs }));
const textArea = (name, text, attrs = {}) => h('label', {}, text, h('textarea', { name, maxlength: '2000', ...attrs }));
const opt = (fd, k) => { const v = String(fd.get(k) || '').trim(); return v === '' ? undefined : v; };

function renderActions(s) {
  const box = $('#actions');
  box.dataset.reference = s.reference;
  const forms = [];
  if (isOffice()) {
    forms.push(
      actionForm('act-assign', '交办', [unitChecks('units'), textInput('note', '交办说明')], 'assign', (fd) => ({ units: fd.getAll('units'), note: opt(fd, 'note') })),
      actionForm('act-reassign', '改派', [unitChecks('units'), textInput('note', '改派说明')], 'reassign', (fd) => ({ units: fd.getAll('units'), note: opt(fd, 'note') })),
      actionForm('act-reject', '不予受理', [textArea('reason', '理由（将告知建议人）', { required: true })], 'reject', (fd) => ({ reason: opt(fd, 'reason') || '' })),
      actionForm('act-valuable', s.valuable ? '取消有价值标记' : '标记为有价值建议', [textInput('note', '说明')], 'valuable', (fd) => ({ valuable: !s.valuable, note: opt(fd, 'note') })),
      actionForm('act-escalate', '呈报区领导阅批', [textInput('note', '呈报说明')], 'escalate', (fd) => ({ note: opt(fd, 'note') })),
      actionForm('act-instruction', '记录区领导批示', [textInput('leader', '批示领导', { required: true, maxlength: '60' }), textArea('text', '批示内容', { required: true }), h('p', { class: 'muted' }, '按批示交办：'), unitChecks('assignTo')], 'instruction', (fd) => {
        const assignTo = fd.getAll('assignTo');
        return { leader: opt(fd, 'leader') || '', text: opt(fd, 'text') || '', ...(assignTo.length ? { assignTo } : {}) };
      }),
      actionForm('act-recommend', '推荐市征集办', [textArea('note', '推荐理由')], 'recommend-city', (fd) => ({ note: opt(fd, 'note') })),
      actionForm('act-city-outcome', '记录市级采纳结果', [h('label', {}, '结果', h('select', { name: 'outcome' }, h('option', { value: 'adopted' }, '市级采纳'), h('option', { value: 'not_adopted' }, '市级未采纳'))), textInput('note', '说明')], 'city-outcome', (fd) => ({ outcome: opt(fd, 'outcome'), note: opt(fd, 'note') })),
      actionForm('act-award', '提名表彰奖励', [
        h('label', {}, '年度', h('select', { name: 'year' }, ...state.meta.awardYears.map((y) => h('option', { value: String(y) }, String(y))))),
        h('label', {}, '等次', h('select', { name: 'tier' }, ...state.meta.awardTiers.map((t) => h('option', { value: t.id }, `${t.name}（${t.amountYuan}元）`)))),
        textInput('note', '说明'),
      ], 'awards', (fd) => ({ year: Number(fd.get('year')), tier: opt(fd, 'tier'), note: opt(fd, 'note') })),
    );
  } else if (activeUnits(s).includes(state.me.unit)) {
    forms.push(
      actionForm('act-answer', '答复', [
        h('label', {}, '办理结果', h('select', { name: 'outcome' }, ...[['adopted', '采纳'], ['partially_adopted', '部分采纳'], ['not_adopted', '暂不采纳'], ['for_reference', '留作参考']].map(([v, t]) => h('option', { value: v }, t)))),
        textArea('text', '答复意见', { required: true }),
        textArea('reason', '暂不采纳的原因'),
      ], 'answer', (fd) => ({ outcome: opt(fd, 'outcome'), text: opt(fd, 'text') || '', reason: opt(fd, 'reason') })),
    );
  }
  box.replaceChildren(...forms);
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

function barChart(title, buckets) {
  const rowH = 22, labelW = 170, width = 460, max = Math.max(1, ...buckets.map((b) => b.count));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${Math.max(1, buckets.length) * rowH + 4}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  buckets.forEach((b, i) => {
    const y = i * rowH + 2;
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', '0'); t.setAttribute('y', String(y + 15));
    t.textContent = b.label.length > 12 ? `${b.label.slice(0, 12)}…` : b.label;
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('class', 'bar'); r.setAttribute('x', String(labelW)); r.setAttribute('y', String(y + 3));
    r.setAttribute('height', String(rowH - 6)); r.setAttribute('width', String(((width - labelW - 40) * b.count) / max));
    const n = document.createElementNS(SVG, 'text');
    n.setAttribute('x', String(labelW + ((width - labelW - 40) * b.count) / max + 4)); n.setAttribute('y', String(y + 15));
    n.textContent = String(b.count);
    svg.append(t, r, n);
  });
  return h('div', { class: 'card chart', 'data-chart': title }, h('h3', {}, title), buckets.length ? svg : h('p', { class: 'muted' }, '暂无数据'));
}

async function renderStats() {
  const st = await api(`/api/stats?${state.filters}`);
  const pct = (r) => (r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}%`);
  const rate = (id, title, r) => h('div', { class: 'rate', id }, title, h('strong', {}, pct(r)), h('span', { class: 'muted' }, `${r.numerator} / ${r.denominator}`));
  $('#stats').replaceChildren(
    h('p', {}, `共 ${st.total} 条建议`, st.truncated ? '（数量过多，仅统计最新部分）' : ''),
    h('div', { class: 'rates' },
      rate('rate-response', '按时受理率', st.rates.response),
      rate('rate-answer', '按期答复率', st.rates.answer),
      rate('rate-adoption', '采纳率', st.rates.adoption),
      rate('rate-satisfaction', '满意率', st.rates.satisfaction),
    ),
    h('div', { class: 'charts' },
      barChart('按主题', st.byTheme), barChart('按类别', st.byCategory), barChart('按承办单位', st.byUnit),
      barChart('按状态', st.byStatus), barChart('按月份', st.byMonth),
    ),
  );
}

// ---------- awards, quota, audit ----------

async function renderAwards() {
  if (!isOffice()) { $('#awards').replaceChildren(h('p', { class: 'muted' }, '表彰奖励由区信访办管理。')); return; }
  const data = await api('/api/awards');
  $('#awards').replaceChildren(
    h('div', { class: 'card' }, h('h3', {}, '奖励等次'), h('p', {}, data.tiers.map((t) => `${t.name} ${t.amountYuan}元`).join('；'), data.announcedTiers && data.announcedTiers > data.tiers.length ? `（通知设${data.announcedTiers}个等次，其余等次未公布）` : '')),
    h('table', { class: 'grid', id: 'awards-table' },
      h('thead', {}, h('tr', {}, ...['年度', '等次', '奖金（元）', '编号', '标题', '建议人', '提名人'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.items.length ? data.items.map((a) => h('tr', {}, h('td', {}, String(a.year)), h('td', {}, a.tierName), h('td', {}, String(a.amountYuan)), h('td', {}, h('a', { href: `#/s/${a.reference}` }, a.reference)), h('td', {}, a.title), h('td', {}, a.proposerName), h('td', {}, a.nominatedBy))) : h('tr', {}, h('td', { colspan: '7', class: 'muted' }, '暂无提名。'))),
    ),
  );
}

function renderValue(v) {
  if (Array.isArray(v)) {
    const keys = [...new Set(v.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
    if (!keys.length) return h('p', {}, v.map(String).join('、'));
    return h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', {}, k)))), h('tbody', {}, v.map((r) => h('tr', {}, ...keys.map((k) => h('td', {}, typeof r[k] === 'object' && r[k] !== null ? JSON.stringify(r[k]) : String(r[k] ?? '')))))));
  }
  if (v && typeof v === 'object') return h('div', {}, ...Object.entries(v).map(([k, x]) => h('div', { class: 'card' }, h('h3', {}, k), renderValue(x))));
  return h('p', {}, String(v ?? ''));
}

async function renderQuota() {
  try {
    const report = await api('/api/agents/quota-report');
    $('#quota').replaceChildren(renderValue(report));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) $('#quota').replaceChildren(h('p', { class: 'muted' }, '代理录入考核报表暂未启用。'));
    else throw err;
  }
}

async function renderAudit() {
  const data = await api('/api/audit?pageSize=100');
  $('#audit').replaceChildren(
    h('table', { class: 'grid', id: 'audit-table' },
      h('thead', {}, h('tr', {}, ...['时间', '操作人', '操作', '对象', '变更前', '变更后'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.items.map((e) => h('tr', {}, h('td', {}, fmt(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, h('a', { href: `#/s/${e.target}` }, e.target)), h('td', { class: 'pre' }, JSON.stringify(e.before)), h('td', { class: 'pre' }, JSON.stringify(e.after))))),
    ),
  );
}

// ---------- start ----------

document.addEventListener('DOMContentLoaded', () => {
  $('#signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    $('#signin-error').textContent = '';
    void signIn($('#token').value.trim(), $('#operator').value.trim());
  });
  $('#filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.filters = readFilters();
    state.page = 1;
    if (location.hash !== '#/list') location.hash = '#/list';
    else void route();
  });
  $('#prev').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); void route(); });
  $('#next').addEventListener('click', () => { state.page += 1; void route(); });
  $('#export-csv').addEventListener('click', () => void download('csv'));
  $('#export-xlsx').addEventListener('click', () => void download('xlsx'));
  window.addEventListener('hashchange', () => void route());
  if (state.token) void signIn(state.token, state.operator);
});
