import { describe, expect, test } from 'vitest';
import { appTextsTo, cardsTo, CITIZEN, useHandlingWorld } from './handling-world.js';

const h = useHandlingWorld({ robots: ['robot-fgw', 'robot-xfb'] });

const kfTexts = () => h.fake.kfMessagesTo(CITIZEN).map((m) => (m.msgtype === 'text' ? m.text! : m.menu!.head!));

describe('the handling loop: 件件有回复、事事有回音', () => {
  test('submission → card to the right members → 受理 → answer in the app → the citizen hears it and rates it', async () => {
    // The citizen's reply window is open, and their kf account is remembered from this message (no
    // WECOM_KF_OPEN_KFIDS is set: news goes back through the account they wrote to).
    await h.w.citizenSays('你好');
    const ref = await h.w.submit();
    expect(ref).toBe('WZ2021-000001');
    let doc = await h.w.doc(ref);
    expect(doc.status).toBe('assigned');
    expect(doc.assignments.map((a) => a.unit)).toEqual(['fgw']);

    await h.w.dispatcher().runOnce();
    // Both handlers of 区发展改革委 get the card; nobody else does.
    const card = cardsTo(h.fake, 'unit_li')[0]!;
    expect(cardsTo(h.fake, 'unit_zhao')).toHaveLength(1);
    expect(h.fake.appDelivered.filter((d) => d.body.msgtype === 'template_card').map((d) => d.touser).sort()).toEqual(['unit_li', 'unit_zhao']);
    expect(card.main_title.title).toContain(ref);
    expect(card.button_list.map((b: { text: string }) => b.text)).toEqual(['受理', '退回']);
    expect(card.horizontal_content_list).toEqual(
      expect.arrayContaining([
        { keyname: '主题', value: '成渝地区双城经济圈建设' },
        { keyname: '答复期限', value: '2021-07-22' },
        { keyname: '建议人', value: '张志刚 13812345678' },
      ]),
    );
    // The group robot gets a summary without the proposer's name or phone.
    const robot = h.fake.robotDelivered.filter((r) => r.key === 'robot-fgw');
    expect(robot).toHaveLength(1);
    const md = JSON.stringify(robot[0]!.body);
    expect(md).toContain(ref);
    expect(md).not.toContain('13812345678');
    expect(md).not.toContain('张志刚');

    await h.w.clicks('unit_li', card.task_id, 'accept');
    doc = await h.w.doc(ref);
    expect(doc.status).toBe('accepted');
    expect(doc.assignments[0]!.acceptedBy).toBe('unit:fgw:unit_li');

    await h.w.dispatcher().runOnce();
    expect(h.fake.cardUpdates.at(-1)).toMatchObject({ button: { replace_name: '已受理（李四）' }, userids: ['unit_li', 'unit_zhao'] });
    expect(kfTexts()).toContain(`您的建议 ${ref} 已由区发展改革委受理，办理后会在这里告知您结果。`);

    await h.w.memberSays('unit_li', `答复 ${ref}`);
    expect(appTextsTo(h.fake, 'unit_li').at(-1)).toContain('请选择办理结果');
    await h.w.memberSays('unit_li', '2');
    await h.w.memberSays('unit_li', '已将物流枢纽共建纳入明年重点项目，城际公交正在与达州方面协商开通时间。');
    expect(appTextsTo(h.fake, 'unit_li').at(-1)).toContain('办理结果：部分采纳');
    await h.w.memberSays('unit_li', '确认');
    expect(appTextsTo(h.fake, 'unit_li').at(-1)).toContain('答复已保存');
    doc = await h.w.doc(ref);
    expect(doc.status).toBe('answered');
    expect(doc.assignments[0]!.answer).toMatchObject({ outcome: 'partially_adopted', by: 'unit:fgw:unit_li' });

    await h.w.dispatcher().runOnce();
    const got = h.fake.kfMessagesTo(CITIZEN);
    expect(got.some((m) => m.text?.includes('办理结果：部分采纳') && m.text.includes('城际公交正在与达州方面协商'))).toBe(true);
    const menu = got.find((m) => m.msgtype === 'msgmenu')!;
    expect(menu.menu!.items.map((i) => i.content)).toEqual(['满意', '基本满意', '不满意']);

    await h.w.citizenSays('满意', 'satisfied');
    doc = await h.w.doc(ref);
    expect(doc.status).toBe('evaluated');
    expect(doc.evaluation).toMatchObject({ rating: 'satisfied' });
    expect(kfTexts().at(-1)).toContain('还有什么想补充的意见吗');
    await h.w.citizenSays('希望尽快开通公交');
    expect((await h.w.doc(ref)).evaluation).toMatchObject({ rating: 'satisfied', comment: '希望尽快开通公交' });
    expect(kfTexts().at(-1)).toContain('感谢您对人民建议征集工作的支持');
    // The ordinary conversation never saw the rating messages.
    expect(h.w.engineSeen).toEqual(['你好']);
  });

  test('a rating word sent before the citizen has seen the answer is not taken as a rating', async () => {
    // The citizen has not written to 微信客服 since submitting: no kf account is known for them yet, so
    // the news is kept and shown with their next message.
    const ref = await h.w.submit();
    await h.w.dispatcher().runOnce();
    await h.w.clicks('unit_li', cardsTo(h.fake, 'unit_li')[0]!.task_id, 'accept');
    await h.w.memberSays('unit_li', `答复 ${ref}`);
    await h.w.memberSays('unit_li', '1');
    await h.w.memberSays('unit_li', '已将物流枢纽共建纳入明年重点项目，明年一季度启动前期工作。');
    await h.w.memberSays('unit_li', '确认');
    await h.w.dispatcher().runOnce();
    expect(h.fake.kfMessagesTo(CITIZEN)).toEqual([]);

    await h.w.citizenSays('满意');
    expect((await h.w.doc(ref)).status).toBe('answered');
    // This reply is where the citizen first sees the answer and the request.
    expect(kfTexts().join('\n')).toContain('办理结果：采纳');
    expect(kfTexts().join('\n')).toContain('满意');

    await h.w.citizenSays('满意', 'satisfied');
    expect((await h.w.doc(ref)).evaluation).toMatchObject({ rating: 'satisfied' });
  });

  test('a village name two towns share leaves the choice to the office, which is told both towns', async () => {
    const ref = await h.w.submit({ campaign: 'general', theme: 'general', title: '修建村级文化广场', proposal: '建议在朝阳村修建一个文化广场，方便村民晚上健身和开展文艺活动。' });
    const doc = await h.w.doc(ref);
    expect(doc.status).toBe('submitted');
    expect(doc.routing).toMatchObject({ needsScreening: true, screeningReason: 'ambiguous_place' });
    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'office_chen').at(-1)).toContain('建议中提到的地名对应多个镇乡（街道），请确定承办单位。（朝阳村：高峰街道、武陵镇）');
  });

  test('退回 asks the member for a reason and sends the suggestion back to the office', async () => {
    const ref = await h.w.submit();
    await h.w.dispatcher().runOnce();
    const card = cardsTo(h.fake, 'unit_li')[0]!;
    await h.w.clicks('unit_li', card.task_id, 'return');
    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'unit_li').at(-1)).toContain('请直接回复退回理由');
    expect(h.fake.cardUpdates.at(-1)).toMatchObject({ button: { replace_name: '退回中（李四）' } });
    expect((await h.w.doc(ref)).status).toBe('assigned');

    await h.w.memberSays('unit_li', '不属于本单位职责，建议交区交通局办理');
    expect(appTextsTo(h.fake, 'unit_li').at(-1)).toContain(`已退回建议 ${ref}`);
    const doc = await h.w.doc(ref);
    expect(doc.status).toBe('returned');
    expect(doc.assignments[0]).toMatchObject({ active: false, endReason: 'returned', returnReason: '不属于本单位职责，建议交区交通局办理' });

    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'office_chen').at(-1)).toBe(`建议 ${ref}《推进万达开川渝统筹发展示范区建设》被区发展改革委退回，理由：不属于本单位职责，建议交区交通局办理。请重新交办。`);
  });

  test('不满意 goes back to the office for review', async () => {
    await h.w.citizenSays('你好');
    const ref = await h.w.submit();
    await h.w.handling.answer(ref, { unit: 'fgw', outcome: 'not_adopted', reason: '感谢您的关心，目前两地通关标准由市级统筹，区级暂无权限调整。', text: '我们已将您的建议报送市发展改革委参考。', by: { kind: 'office', id: 'admin' } });
    await h.w.dispatcher().runOnce();
    await h.w.citizenSays('3');
    const doc = await h.w.doc(ref);
    expect(doc.status).toBe('escalated');
    expect(doc.evaluation?.rating).toBe('unsatisfied');
    await h.w.citizenSays('说明太笼统');
    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'office_chen').at(-1)).toContain('不满意，意见：说明太笼统');

    // The office reviews and hands it back to the unit: a fresh card, a fresh answer, a fresh rating request.
    const again = await h.w.handling.reassign(ref, { units: ['fgw'], by: { kind: 'office', id: 'chen' }, note: '请补充说明' });
    expect(again.ok && again.suggestion.status).toBe('assigned');
    await h.w.dispatcher().runOnce();
    expect(cardsTo(h.fake, 'unit_li').map((c) => c.task_id)).toEqual([`${ref}-fgw-1`, `${ref}-fgw-2`]);
  });

  test('a unit member cannot act on another unit\'s card', async () => {
    const ref = await h.w.submit({ theme: 'rural_revitalization' });
    await h.w.dispatcher().runOnce();
    const r = await h.w.handling.handleCardEvent({ from: 'unit_li', eventKey: 'accept', taskId: `${ref}-nyncw-1`, responseCode: 'RC_x' });
    expect(r).toMatchObject({ ok: false, code: 'not_permitted' });
    expect((await h.w.doc(ref)).status).toBe('assigned');
  });
});
