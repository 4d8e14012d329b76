/** Captures every console line the code under test writes, so tests can assert no secret is logged. */
export const consoleLines: string[] = [];

for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    consoleLines.push(args.map(String).join(" "));
    if (process.env.TEST_VERBOSE) original(...args);
  };
}
