/**
 * `npm run chat`: a conversation with the bot in the terminal. It starts the whole service in-process
 * (same configuration, storage and engine as `npm start`, without listening) and talks to it through the
 * dev chat contract, so what you see here is what any channel gets.
 *
 * Options are shown numbered; answer with the number, the label or free text. Ctrl-D or "exit" quits.
 * The embedded engine locks its data directory: stop `npm start` first, or point DATA_DIR elsewhere.
 */
import { createInterface } from 'node:readline/promises';
import { loadConfig } from './infra/config.js';
import { createLogger } from './infra/logger.js';
import { startService } from './main.js';
import { terminalTexts } from '../flows/texts/channels.js';

interface ChatReply {
  replies: { text: string; options: { id: string; label: string }[] }[];
  state: string;
  reference?: string;
}

async function main(): Promise<void> {
  // The terminal is quiet by default (logs would mix with the dialogue); LOG_LEVEL still wins when set.
  const config = loadConfig({ LOG_LEVEL: 'error', ...process.env, DEV_CHAT: '1' });
  const service = await startService({ config, listen: false, logger: createLogger({ level: config.env.LOG_LEVEL }) });
  const user = config.env.CHAT_USER ?? 'terminal';
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });

  const send = async (text: string): Promise<ChatReply> => {
    const res = await service.app.inject({ method: 'POST', url: '/dev/chat', payload: { user, text } });
    if (res.statusCode !== 200) return { replies: [{ text: `(${res.statusCode}) ${res.body}`, options: [] }], state: 'error' };
    return res.json<ChatReply>();
  };
  const show = (r: ChatReply) => {
    for (const reply of r.replies) {
      console.log(`\n${terminalTexts.bot}${reply.text}`);
      reply.options.forEach((o, i) => console.log(`   ${i + 1}. ${o.label}`));
    }
    console.log(`   [${r.state}${r.reference ? ` ${r.reference}` : ''}]`);
  };

  console.log(`Jianyan terminal chat as "${user}" — type a message; Ctrl-D or "exit" quits.`);
  const prompt = () => process.stdout.write(`\n${terminalTexts.you}`);
  try {
    prompt();
    // The async iterator buffers lines, so piped input (a scripted conversation) is answered line by line.
    for await (const line of rl) {
      if (line.trim() === 'exit') break;
      show(await send(line));
      prompt();
    }
  } finally {
    rl.close();
    await service.close();
  }
}

main().catch((err: Error) => {
  console.error(err.name === 'ConfigError' ? err.message : err);
  process.exit(1);
});
