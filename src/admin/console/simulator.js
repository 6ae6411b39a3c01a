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

async function send(text) {
  $('#sim-error').textContent = '';
  append('me', text);
  try {
    const res = await fetch('/dev/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: $('#sim-user').value.trim(), text, role: $('#sim-role').value }),
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
});
