// For the shutdown-budget fixtures (one per adapter): the user's cleanup hooks, as many as
// USER_HOOKS says, each taking HOOK_MS (default 50) and printing a line once it ran.
export function addUserHooks(lameduck) {
  const userHooks = Number(process.env.USER_HOOKS ?? 0);
  const hookMs = Number(process.env.HOOK_MS ?? 50);
  for (let index = 1; index <= userHooks; index += 1) {
    lameduck.onCleanup(`user-${index}`, async () => {
      await new Promise((resolve) => setTimeout(resolve, hookMs));
      console.log(`user hook ${index} ran`);
    });
  }
}
