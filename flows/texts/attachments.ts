/** What citizens and agents are told about photos, voice, video, files and locations they send. */

export type AttachmentKind = 'image' | 'voice' | 'video' | 'file' | 'location';

export const attachmentKindNames: Record<AttachmentKind, { name: string; unit: string }> = {
  image: { name: '图片', unit: '张' },
  voice: { name: '语音', unit: '条' },
  video: { name: '视频', unit: '段' },
  file: { name: '文件', unit: '个' },
  location: { name: '位置', unit: '个' },
};

/** `图片2张、位置1个` */
export function attachmentCounts(kinds: AttachmentKind[]): string {
  const order: AttachmentKind[] = ['image', 'video', 'voice', 'file', 'location'];
  return order
    .map((k) => [k, kinds.filter((x) => x === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${attachmentKindNames[k].name}${n}${attachmentKindNames[k].unit}`)
    .join('、');
}

export const attachmentTexts = {
  /** After a photo, video or file: how many of that kind the draft now holds. */
  received: (kind: AttachmentKind, countOfKind: number) =>
    `已收到${attachmentKindNames[kind].name}${countOfKind}${attachmentKindNames[kind].unit}，会随建议一并提交。`,
  /** The bot cannot listen: the citizen is asked for the gist in words. */
  voice: (countOfKind: number) =>
    `已收到语音${countOfKind}条，会随建议一并提交。由于暂时无法识别语音内容，请再用文字简要说明语音里讲的内容。`,
  location: (place: string) => `已记下位置：${place}，会随建议一并提交，并帮助确定承办单位。`,
  tooMany: (max: number) => `每条建议最多可附${max}个附件，这个没有保存。您填写的内容都还在，请继续。`,
  tooLarge: (kind: AttachmentKind, maxMb: number) =>
    `这个${attachmentKindNames[kind].name}超过了${maxMb}MB，无法保存。您填写的内容都还在，可以换一个较小的文件，或直接用文字说明。`,
  wrongType: (kind: AttachmentKind) =>
    `这个${attachmentKindNames[kind].name}的格式无法识别，没有保存。您填写的内容都还在，可以换成图片、PDF或Word文件，或直接用文字说明。`,
  expired: (kind: AttachmentKind) => `这个${attachmentKindNames[kind].name}已过期，无法保存，请重新发送一次。`,
  /** The download is still under way (WeCom slow): it will be kept when it arrives. */
  saving: (kind: AttachmentKind) => `已收到${attachmentKindNames[kind].name}，正在保存，会随建议一并提交。`,
  /** Summary / 查询 line. */
  summaryLine: (counts: string) => `附件：${counts}`,
  /** Unit card line. */
  cardValue: (counts: string) => counts,
  cardKey: '附件',
};
