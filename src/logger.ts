import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const options = (level: string): pino.LoggerOptions => ({
  level,
  base: undefined,
  redact: ['req.headers.authorization', 'req.headers.cookie'],
});

/**
 * `destination`: stdout unless given (tests read the lines back). On a terminal the lines are made readable
 * (pino-pretty, in this thread so nothing is lost at exit); piped or redirected, they stay JSON, one per line.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  if (!destination && process.stdout.isTTY) {
    return pino(options(level), pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino(options(level), destination);
}
