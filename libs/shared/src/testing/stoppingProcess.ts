// The child side of a crash test: a real service started in its own process that announces
// when it listens and when it reaches a named point, then holds there so the test can SIGKILL
// it at exactly that point (STYLE.md: crash claims by really stopping a process).

/** Announces `point` (with its details) on stdout and never resolves: the process waits for its kill. */
export function holdAt(point: string, ...details: string[]): Promise<never> {
  process.stdout.write(`${[point, ...details].join(" ")}\n`);
  return new Promise<never>(() => undefined);
}

/** Starts the service and announces `LISTENING <url>`; a service that cannot start exits 1. */
export function runStoppingProcess(start: () => Promise<{ url: string }>): void {
  start().then(
    (service) => process.stdout.write(`LISTENING ${service.url}\n`),
    (error: unknown) => {
      process.stderr.write(`failed to start: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
