import { pino, type Logger } from 'pino';

export type { Logger };

/** `destination`: stdout unless given (tests read the lines back). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: undefined, redact: ['req.headers.authorization', 'req.headers.cookie'] }, destination);
}
