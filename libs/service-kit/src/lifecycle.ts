import type { Logger } from 'pino';

/** The line launchers (npm start, e2e tests) wait for: a JSON log with event "ready" and the bound port. */
export interface ReadyInfo {
  service: string;
  /** Where clients connect, e.g. `127.0.0.1:50051` or `http://127.0.0.1:8001`. */
  address: string;
  port: number;
  /** Further endpoints of the process, e.g. `{ http_address: 'http://127.0.0.1:8080' }`. */
  details?: Record<string, string | number>;
}

export const READY_EVENT = 'ready';

export function announceReady(logger: Logger, info: ReadyInfo): void {
  // `service` is already in every line (the logger's base); the launcher reads `event`, `address` and `port`.
  logger.info({ ...info.details, event: READY_EVENT, address: info.address, port: info.port }, `${info.service} ready at ${info.address}`);
}

/**
 * Runs `shutdown` once on SIGTERM or SIGINT, then exits. A second signal, or `graceMs` passing,
 * exits at once so a stuck drain can never keep a pod from terminating.
 */
export function exitOnSignals(logger: Logger, shutdown: () => Promise<void>, graceMs = 10_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, grace_ms: graceMs }, 'shutting down: draining in-flight work');
    const timer = setTimeout(() => {
      logger.error({ grace_ms: graceMs }, 'shutdown grace period passed: exiting with work in flight');
      process.exit(1);
    }, graceMs);
    timer.unref();
    shutdown().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
