import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAgentDirectory, createMemoryAgentStore } from '../../src/agents/agent-directory.js';
import { fixedClock } from '../../src/infra/clock.js';
import { MemorySuggestions } from '../fakes/memory-suggestions.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { startBot, type BotWorker } from '../fakes/wecom-harness.js';
import { agentConfig } from './agent-chat.js';
import { memoryConversation } from '../helpers/conversation.js';

const OPEN_KFID = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
const AGENT_EXT = 'wmAJ2GCAAAagentZHAO0000000000000';
let fake: FakeWeCom;
let bot: BotWorker;
const clock = fixedClock('2021-07-05T10:00:00+08:00');

beforeAll(async () => {
  fake = await startFakeWeCom();
  const config = agentConfig({ agents: [{ id: 'zhao', name: '赵六', unit: 'nyncw', kfExternalUserIds: [AGENT_EXT], devUsers: [] }] });
  const conversation = memoryConversation({
    config,
    clock,
    suggestions: new MemorySuggestions(clock),
    agents: createAgentDirectory({ config, store: createMemoryAgentStore(), clock }),
  });
  bot = await startBot(fake, { conversation, clock });
});
afterAll(async () => {
  await bot?.close();
  await fake?.close();
});

const texts = () => fake.kfMessagesTo(AGENT_EXT).map((m) => (m.msgtype === 'text' ? m.text! : m.menu!.head!));
const item = (sender: string, text: string, at: number) => ({ send_time: at, msgtype: 'text', sender_name: sender, msg_content: JSON.stringify({ msgtype: 'text', text: { content: text } }) });

describe('an agent on 微信客服 forwards a chat record (merged_msg)', () => {
  test('hello first, then the record: the proxy draft starts from the citizen’s lines', async () => {
    fake.customerSays(OPEN_KFID, AGENT_EXT, '你好');
    await fake.notifyKf(OPEN_KFID);
    await bot.wecom.drain();
    expect(texts().join('\n')).toContain('赵六您好！您是信访代理员');

    const t0 = Math.floor(Date.parse('2021-07-05T09:00:00+08:00') / 1000);
    fake.appendKfItem(OPEN_KFID, {
      msgid: 'from_msgid_merged_1',
      open_kfid: OPEN_KFID,
      external_userid: AGENT_EXT,
      // The fake WeCom runs on real time: the customer writes now.
      send_time: Math.floor(Date.now() / 1000),
      origin: 3,
      msgtype: 'merged_msg',
      merged_msg: {
        title: '赵六和孙丽的聊天记录',
        item: [
          item('赵六', '孙大姐，您有什么想法？', t0),
          item('孙丽', '建议在村里建一个农产品电商服务站，统一收购、包装和发货，帮村民把土鸡蛋和腊肉卖到城里。', t0 + 60),
          item('赵六', '好的，我帮您录入。', t0 + 120),
        ],
      },
    });
    await fake.notifyKf(OPEN_KFID);
    await bot.wecom.drain();
    const all = texts().join("\n");
    expect(all).toContain('已收到转发的聊天记录：3条文字消息，发言人：赵六、孙丽');
    expect(all).toContain('已采用“孙丽”的1条发言作为建议内容，您（赵六）的发言未计入');
    expect(all).toContain('建议主题可能是“乡村振兴”');
  });
});
