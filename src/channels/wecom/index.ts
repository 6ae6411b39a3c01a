/** The WeCom channels (self-built app and 微信客服) and the WeCom API client. */
export { registerWeComRoutes, CALLBACK_BODY_LIMIT, type WeComChannels, type WeComRoutesDeps } from './wecom-routes.js';
export { createWeComClient, type WeComClient, type WeComClientDeps, type AppMessage, type KfMessageBody, type RobotMessage } from './wecom-api-client.js';
export { WeComApiError, WeComConfigError, WeComHttpError } from './wecom-errors.js';
export type { KfOutbox, KfCustomer } from './kf-outbox.js';
export type { TemplateCardEvent } from './message-parser.js';
export type { TemplateCardHandler } from './app-channel.js';
