import { pino, type Logger } from 'pino';

export type { Logger };

/** The root logger: the one module-level singleton STYLE.md allows. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'vigie' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.apiKey', '*.secret'], censor: '[redacted]' },
  });
}
