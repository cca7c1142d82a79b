// CPU time of the processes that serve an order, read from /proc (Linux): the services, the
// gateway's nginx (master and workers), and the database, Redis and Kafka servers. The servers
// are shared by everything on this machine, so their share includes whatever else runs.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpuMs: number;
}

/** /proc/<pid>/stat of a live process: its name, parent and user + system time of all threads. */
function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone
  }
  // "pid (comm) state ppid ... utime stime ..."; comm may hold spaces and parentheses.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { pid, ppid: Number(fields[1]), comm, cpuMs: (1000 * ticks) / TICKS_PER_SECOND };
}

function allProcesses(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procStat(Number(name)))
    .filter((p): p is ProcStat => p !== undefined);
}

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

/**
 * The stack's processes: the given ones (services, the gateway's master) with their children
 * (nginx workers), and the MariaDB/MySQL, Redis and Kafka servers.
 */
export function stackProcesses(roots: number[]): number[] {
  const all = allProcesses();
  const pids = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (pids.has(p.ppid) && !pids.has(p.pid)) {
        pids.add(p.pid);
        grew = true;
      }
  }
  for (const p of all)
    if (
      ["mariadbd", "mysqld", "redis-server"].includes(p.comm) ||
      (p.comm === "java" && cmdline(p.pid).includes(" kafka.Kafka"))
    )
      pids.add(p.pid);
  return [...pids];
}

/** User + system CPU milliseconds the processes have used so far (those gone count 0). */
export function cpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (procStat(pid)?.cpuMs ?? 0), 0);
}

/** A short name for a stack process: the service a Node process runs (its directory), else its command. */
export function processLabel(pid: number): string {
  const stat = procStat(pid);
  if (!stat) return "gone";
  let cwd = "";
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    // gone or not ours: named by its command
  }
  const service = /services\/([a-z-]+)$/.exec(cwd)?.[1];
  if (service) return service;
  return stat.comm === "java" ? "kafka" : stat.comm;
}

/** CPU milliseconds so far per process label (nginx master and workers add up). */
export function cpuMsByLabel(pids: number[]): Record<string, number> {
  const byLabel: Record<string, number> = {};
  for (const pid of pids) {
    const label = processLabel(pid);
    // A process stopped before the phase (the relay, for the answer path alone) is not listed.
    if (label !== "gone") byLabel[label] = (byLabel[label] ?? 0) + (procStat(pid)?.cpuMs ?? 0);
  }
  return byLabel;
}
