/**
 * Errors for the HTTP edges, mapped to responses in one handler (http-server.ts).
 * Expected outcomes inside the conversation are tagged unions, not exceptions.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError(400, 'bad_request', message, details);
export const unauthorized = () => new AppError(401, 'unauthorized', 'missing or invalid bearer token');
export const forbidden = (message = 'not allowed for this token') => new AppError(403, 'forbidden', message);
export const notFound = (message = 'not found') => new AppError(404, 'not_found', message);
