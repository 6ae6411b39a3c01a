/**
 * The few sentences the channels say on their own (everything conversational comes from the flows).
 * Deployments override the WeCom ones under `wecom.texts` in the config file.
 */
export interface WeComTexts {
  /** 微信客服 welcome, sent with the enter_session welcome_code (within its 20 s validity). */
  kfWelcome: string;
  /** A staff member not in the `members` directory wrote to the app. */
  unknownMember: string;
  /** The engine failed on a message; the person is asked to try again. */
  apology: string;
  /** Images, voice, files … : only text can be read. */
  unsupportedMessage: string;
  /** A 受理/退回 click that could not be recorded (storage down) after retries. */
  cardActionFailed: string;
  /** Heading of the numbered option list in app replies (options cannot be menus there). */
  optionsHint: string;
}

export const defaultWeComTexts: WeComTexts = {
  kfWelcome: '您好！这里是人民建议征集服务，欢迎您为发展建言献策。请直接发送您的建议，我会一步步协助您完成提交。',
  unknownMember: '您好，您暂未登记为人民建议征集的工作人员，暂时无法使用此应用。如需开通，请联系区信访办人民建议征集工作人员。',
  apology: '抱歉，系统刚才没能处理您的消息，请稍后再发送一次。',
  unsupportedMessage: '抱歉，这类消息暂时无法识别。您可以发送文字、图片、语音、视频、文件或位置，建议内容请用文字描述。',
  cardActionFailed: '抱歉，系统繁忙，您刚才在卡片上的操作未能完成，请稍后再点一次。',
  optionsHint: '请回复序号或选项：',
};

/** Speaker marks of the terminal chat (`npm run chat`). */
export const terminalTexts = {
  bot: '建言 › ',
  you: '你 › ',
} as const;
