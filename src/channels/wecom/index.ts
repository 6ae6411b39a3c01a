/** The WeCom inbound channels (self-built app and 微信客服): callback routes, parsing, the kf pull. */
export { registerWeComRoutes, CALLBACK_BODY_LIMIT, type WeComInbound, type WeComRoutesDeps } from './wecom-routes.js';
export type { TemplateCardEvent } from './message-parser.js';
export type { TemplateCardHandler } from './app-channel.js';
