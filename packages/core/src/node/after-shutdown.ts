import { LameduckConfigError } from '../index.js';

/**
 * What attach() and startServer() throw once the shutdown has completed (the lifecycle is
 * closed): a server started now would never be drained nor closed, and would hold the process
 * open. Go's http.Server returns ErrServerClosed for the same reason. During a shutdown a server
 * still joins it.
 */
export function afterShutdownError(call: 'attach()' | 'listen()'): LameduckConfigError {
  return new LameduckConfigError(
    `${call} after the shutdown completed: this lifecycle is closed and would never drain the server; attach servers before the shutdown, or create a new lifecycle for a process that serves again`,
  );
}
