import { describeThrown } from '../describe.js';
import type { Logger } from '../index.js';
import { CRASH_DRAIN_TIMEOUT_MS, describeCrash, listenForCrashes } from './crash.js';
import { exitProcess } from './exit.js';
import type { DrainSettings } from './options.js';
import type { Shutdown } from './shutdown.js';
import { listenForSignals } from './signals.js';

/** What the process binding asks of the engine. */
export interface ShutdownStarter {
  /** The shutdown running, if one started. */
  running(): Shutdown | undefined;
  /** Starts the shutdown (or returns the one running). */
  start(reason: string, signal?: NodeJS.Signals, drainTimeoutMs?: number): Shutdown;
  /** Requests in flight, for the log line of an ignored signal. */
  inFlight(): number;
  /** The lifecycle's clock (ms since the epoch), which `Shutdown.startedAt` is on. */
  now(): number;
  /** Told just before the process exits: the diagnostics channel's last message. */
  onExit(exitCode: number, signal?: NodeJS.Signals): void;
}

export interface ProcessBinding {
  /** Exits with the shutdown's exit code once it ends (`shutdown({ exit: true })`). */
  exitAfter(shutdown: Shutdown): void;
  /** The shutdown is over: without an exit due, the listeners go, so a later signal does what it does to any process. */
  shutdownEnded(): void;
  /** Removes the signal and crash listeners. */
  stop(): void;
}

/**
 * The process's side of the lifecycle: the signal policy and the crash policy.
 *
 * Signals: the first starts the shutdown and exits after it (as `exitOnSignal` says); one that
 * arrives during a shutdown started by `shutdown()` makes the process exit after it; a repeated
 * SIGTERM is logged and ignored (one shutdown at a time); a repeated SIGINT forces the exit.
 *
 * Crashes (`onUncaughtException: 'drain'`): log, drain with a short timeout, exit 1.
 */
export function bindToProcess(
  settings: DrainSettings,
  logger: Logger,
  engine: ShutdownStarter,
): ProcessBinding {
  let exitRequested = false;
  let signalsSeen = 0;

  const exitNow = (mode: 'code' | 'reraise', exitCode: number, signal?: NodeJS.Signals) => {
    stop();
    engine.onExit(exitCode, signal);
    exitProcess(process, logger, mode, exitCode, signal);
  };

  const exitAfterSignal = (shutdown: Shutdown, signal: NodeJS.Signals) => {
    if (exitRequested || settings.exitOnSignal === false) return;
    exitRequested = true;
    const mode = settings.exitOnSignal;
    shutdown.result
      .then(
        (result) => result.exitCode,
        // A bug in the drain must not leave a process that ignores SIGTERM until SIGKILL.
        (error: unknown) => {
          logger.error(`the shutdown failed: ${describeThrown(error)}`);
          return 1;
        },
      )
      .then((exitCode) => exitNow(mode, exitCode, signal));
  };

  const onSignal = (signal: NodeJS.Signals) => {
    signalsSeen += 1;
    const running = engine.running();
    if (running === undefined) {
      exitAfterSignal(engine.start(signal, signal), signal);
      return;
    }
    const sinceMs = engine.now() - running.startedAt;
    if (signalsSeen === 1) {
      // The drain was started by shutdown(): a signal now means the platform wants the process gone.
      logger.info(
        `${signal} received ${sinceMs} ms into a shutdown already running; the process exits after it`,
      );
      exitAfterSignal(running, signal);
      return;
    }
    if (signal === 'SIGINT') {
      running.force(`SIGINT received again ${sinceMs} ms into the shutdown`);
      if (settings.exitOnSignal !== false) exitNow(settings.exitOnSignal, 1, signal);
      return;
    }
    logger.warn(
      `${signal} received again ${sinceMs} ms into the shutdown; ignored (one shutdown at a time; a second SIGINT forces exit), ${engine.inFlight()} request(s) in flight`,
    );
  };

  const stopSignals = listenForSignals(process, settings.signals, onSignal);
  const stopCrashes = settings.onUncaughtException === 'drain' ? drainOnCrash() : () => {};
  function stop() {
    stopSignals();
    stopCrashes();
  }

  function drainOnCrash(): () => void {
    let crashed = false;
    return listenForCrashes(process, (error, origin) => {
      logger.error(describeCrash(error, origin));
      if (crashed) return;
      crashed = true;
      const shutdown = engine.start(
        origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception',
        undefined,
        Math.min(settings.drainTimeoutMs, CRASH_DRAIN_TIMEOUT_MS),
      );
      // Whatever the drain's outcome, a process that crashed exits 1: its state is unknown.
      exitRequested = true;
      const exit = () => exitNow('code', 1);
      shutdown.result.then(exit, exit);
    });
  }

  return {
    exitAfter(shutdown) {
      shutdown.result.then(
        (result) => exitNow('code', result.exitCode),
        () => exitNow('code', 1),
      );
    },
    shutdownEnded() {
      if (!exitRequested) stop();
    },
    stop,
  };
}
