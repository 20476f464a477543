/** The single error type the HTTP layer understands; `code` is stable and becomes the problem `type`. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: Array<{ path: string; message: string }> | Record<string, unknown>[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(message: string, errors?: Array<{ path: string; message: string }>) {
    return new AppError(400, 'invalid-input', message, errors);
  }
  static unauthorized(message = 'Missing or invalid credentials') {
    return new AppError(401, 'unauthorized', message);
  }
  static forbidden(message = 'This role may not do that') {
    return new AppError(403, 'forbidden', message);
  }
  static notFound(what: string) {
    return new AppError(404, 'not-found', `${what} not found`);
  }
  static conflict(message: string) {
    return new AppError(409, 'conflict', message);
  }
  static unsupportedMediaType(expected: string[]) {
    return new AppError(415, 'unsupported-media-type', `Content-Type must be one of: ${expected.join(', ')}`);
  }
  static unavailable(message = 'The database is unavailable') {
    return new AppError(503, 'database-unavailable', message);
  }
}
