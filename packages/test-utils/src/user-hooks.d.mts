/** Registers USER_HOOKS cleanup hooks on `lameduck`, each taking HOOK_MS (default 50). */
export function addUserHooks(lameduck: { onCleanup(name: string, fn: () => Promise<void>): unknown }): void;
