import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs (pino). Anything that could carry a secret is redacted by key as a
 * second line of defence; the first is that services never hand secrets to the log.
 */
export function createLogger(
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env.SIDEKEY_LOG_LEVEL ?? 'info',
      base: { service: 'sidekey' },
      redact: {
        paths: [
          'password',
          'newPassword',
          'currentPassword',
          'secret',
          'token',
          'code',
          '*.password',
          '*.secret',
          '*.token',
          '*.code',
          'headers.authorization',
          'headers.cookie',
          '*.headers.authorization',
          '*.headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

/** A logger that keeps what it writes, for tests that assert what never reaches the log. */
export function createMemoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}
