// Structured JSON logging; every module gets a child logger named after itself.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'shopcast' }, timestamp: pino.stdTimeFunctions.isoTime });
}
