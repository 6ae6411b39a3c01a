// The chat simulator: talks to POST /dev/chat. Replies are inserted as text, never as HTML.
const $ = (sel) => document.querySelector(sel);

const newUser = () => `sim-${Math.random().toString(36).slice(2, 10)}`;

function append(kind, text, options = []) {
  const log = $('#log');
  const msg = document.createElement('div');
  msg.className = `msg ${kind}`;
  msg.textContent = text;
  if (options.length) {
    const row = document.createElement('div');
    row.className = 'options';
    for (const o of options) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = o.label;
      b.dataset.optionId = o.id;
      b.addEventListener('click', () => void send(o.label));
      row.append(b);
    }
    msg.append(row);
  }
  log.append(msg);
  log.scrollTop = log.scrollHeight;
}

/**
 * A pasted chat as the dev chat's `forwarded` record: one `姓名：内容` per line (full- or half-width colon);
 * a line without a name continues the previous message. Items are a minute apart, ending now.
 */
function parseForwarded(title, pasted) {
  const items = [];
  for (const raw of pasted.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([^:：]{1,64})[:：]\s*(.*)$/.exec(line);
    if (m) items.push({ sender: m[1].trim(), text: m[2] });
    else if (items.length) items[items.length - 1].text += `\n${line}`;
    else items.push({ sender: '', text: line });
  }
  const end = Math.floor(Date.now() / 1000);
  const record = { items: items.slice(0, 200).map((it, i, all) => ({ ...it, time: end - 60 * (all.length - 1 - i) })) };
  if (title.trim()) record.title = title.trim();
  return record;
}

async function send(text, forwarded) {
  $('#sim-error').textContent = '';
  append('me', forwarded ? [`[转发的聊天记录] ${forwarded.title || ''}`.trim(), ...forwarded.items.map((it) => `${it.sender || '未署名'}：${it.text}`)].join('\n') : text);
  try {
    const res = await fetch('/dev/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: $('#sim-user').value.trim(), text, role: $('#sim-role').value, ...(forwarded ? { forwarded } : {}) }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      $('#sim-error').textContent = res.status === 404 ? '开发对话接口未启用（需 DEV_CHAT=1 或未配置企业微信）。' : `出错了：${(body && body.message) || res.status}`;
      return;
    }
    for (const r of body.replies) append('bot', r.text, r.options || []);
    $('#sim-state').textContent = body.state;
    $('#sim-reference').textContent = body.reference ? `建议编号：${body.reference}` : '';
  } catch (err) {
    $('#sim-error').textContent = `网络错误：${err.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#sim-user').value = sessionStorage.getItem('jianyan.sim.user') || newUser();
  $('#sim-user').addEventListener('change', () => sessionStorage.setItem('jianyan.sim.user', $('#sim-user').value.trim()));
  $('#sim-reset').addEventListener('click', () => {
    $('#sim-user').value = newUser();
    sessionStorage.setItem('jianyan.sim.user', $('#sim-user').value);
    $('#log').replaceChildren();
    $('#sim-state').textContent = '—';
    $('#sim-reference').textContent = '';
  });
  $('#composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('#sim-text').value;
    if (!text.trim()) return;
    $('#sim-text').value = '';
    void send(text);
  });
  $('#sim-forward-send').addEventListener('click', () => {
    const record = parseForwarded($('#sim-forward-title').value, $('#sim-forward').value);
    if (!record.items.length) {
      $('#sim-error').textContent = '请先粘贴聊天记录，每行一条“姓名：内容”。';
      return;
    }
    $('#sim-forward').value = '';
    void send('', record);
  });
});
