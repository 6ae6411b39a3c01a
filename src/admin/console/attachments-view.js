// The attachments of a suggestion in the console: photo thumbnails (click for the full picture), players for
// voice and video, download links for files, and locations as text. The bytes need the bearer token, so they
// are fetched with it and shown from blob: URLs. Every server value is inserted as text.
const KIND_NAMES = { image: '图片', voice: '语音', video: '视频', file: '文件', location: '位置' };
const STATUS_NAMES = { pending: '正在下载', refused: '未保存', failed: '未能下载' };

function size(n) {
  if (n === null || n === undefined) return '';
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)}MB` : `${Math.max(1, Math.round(n / 1024))}KB`;
}

async function blobUrl(api, url) {
  const res = await api(url, { raw: true });
  return URL.createObjectURL(await res.blob());
}

function viewer(h, src, name) {
  const dialog = h('dialog', { class: 'attachment-viewer' },
    h('img', { src, alt: name }),
    h('form', { method: 'dialog' }, h('button', { type: 'submit' }, '关闭')));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** A card listing `s.attachments`, or null when there are none. */
export function attachmentsCard(s, { h, api }) {
  const list = s.attachments || [];
  if (!list.length) return null;
  const items = list.map((a) => {
    const kind = KIND_NAMES[a.kind] || a.kind;
    const fig = h('figure', { class: 'attachment', 'data-kind': a.kind });
    if (a.kind === 'location') {
      const loc = a.location || {};
      fig.append(h('figcaption', {}, `${kind}：${loc.address || loc.name || ''}（${loc.latitude}, ${loc.longitude}）`));
      return fig;
    }
    const caption = h('figcaption', {}, [kind, a.name || '', size(a.size)].filter(Boolean).join(' · '));
    if (!a.url) {
      fig.append(caption, h('span', { class: 'muted' }, STATUS_NAMES[a.status] || a.status || ''));
      return fig;
    }
    fig.append(caption);
    blobUrl(api, a.url).then(
      (src) => {
        if (a.kind === 'image') {
          const img = h('img', { src, alt: a.name || kind, class: 'thumb', tabindex: '0', title: '点击查看大图' });
          img.addEventListener('click', () => viewer(h, src, a.name || kind));
          fig.prepend(img);
        } else if (a.kind === 'voice' || a.kind === 'video') {
          fig.prepend(h(a.kind === 'voice' ? 'audio' : 'video', { src, controls: true, preload: 'metadata' }));
        }
        fig.append(h('a', { href: src, download: a.name || `${a.kind}-${a.id}` }, '下载'));
      },
      () => fig.append(h('span', { class: 'muted' }, '无法读取')),
    );
    return fig;
  });
  return h('div', { class: 'card', id: 'attachments' }, h('h3', {}, `附件（${list.length}）`), h('div', { class: 'attachments' }, ...items));
}
