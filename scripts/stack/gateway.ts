// The local API gateway: a real nginx master (the Debian package scripts/infra/nginx.sh
// installs) running the config scripts/gateway/nginxConf.ts renders from gateway/routes.json,
// with its own pid file and temp paths, so `npm start`, the end-to-end suite and the compose
// gateway run one implementation. nginx keeps running in the foreground as a child process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { renderNginxConf } from "../gateway/nginxConf";

export interface RunningGateway {
  url: string;
  port: number;
  /** The rendered nginx.conf it runs. */
  configFile: string;
  process: ChildProcess;
  close(): Promise<void>;
}

export interface GatewayOptions {
  port: number;
  /** Listen address; loopback unless told otherwise. */
  host?: string;
  /** Servers per service ("127.0.0.1:3001"); several are balanced round robin. */
  upstreams: Record<string, string[]>;
  /** Where the config, pid file and temp paths go; a fresh temp directory when omitted. */
  runDir?: string;
  /** nginx's access and error log lines; dropped when omitted. */
  log?: (line: string) => void;
  /** The API documentation only, as the Helm chart's gateway runs (nginxConf `filesOnly`). */
  filesOnly?: boolean;
}

/** The nginx binary: NGINX_BIN, else `nginx` in PATH or /usr/sbin. */
export function nginxBinary(): string {
  const candidates = [
    process.env.NGINX_BIN,
    ...(process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "nginx")),
    "/usr/sbin/nginx",
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found)
    throw new Error(
      "gateway: nginx is not installed; run `bash scripts/infra/nginx.sh ensure` (as root, or set NGINX_BIN)",
    );
  return found;
}

// A master left behind by a run that was killed (SIGKILL gives no chance to stop it) still holds
// the port: stop it when its pid file is in our run directory and the process is nginx.
async function stopLeftover(pidFile: string): Promise<void> {
  const pid = readPid(pidFile);
  fs.rmSync(pidFile, { force: true });
  const isNginx = () =>
    spawnSync("ps", ["-p", String(pid), "-o", "comm="], { encoding: "utf8" }).stdout.trim() ===
    "nginx";
  if (!pid || !isNginx()) return;
  process.kill(pid, "SIGQUIT");
  const deadline = Date.now() + 10_000;
  while (isNginx() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function readPid(pidFile: string): number | undefined {
  const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8").trim() : NaN);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

// nginx writes its pid file once it holds the port, so an answer after that is this master's,
// not that of whatever else might have been listening there.
async function waitListening(
  url: string,
  child: ChildProcess,
  pidFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway: nginx exited with ${child.exitCode}`);
    if (readPid(pidFile) !== child.pid) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway: nginx not answering on ${url} within ${timeoutMs} ms`);
}

/** Hands each line appended to the file to `log`, polling (nginx writes it as the requests end). */
function tailFile(file: string, log: (line: string) => void): () => void {
  let offset = 0;
  let partial = "";
  const read = () => {
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (size <= offset) return;
    const fd = fs.openSync(file, "r");
    try {
      const chunk = Buffer.alloc(size - offset);
      fs.readSync(fd, chunk, 0, chunk.length, offset);
      offset = size;
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop()!;
      for (const line of lines) log(line);
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(read, 200);
  timer.unref();
  return () => {
    clearInterval(timer);
    read();
  };
}

/** Renders the config, checks it with `nginx -t`, starts nginx and waits until it answers. */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const bin = nginxBinary();
  const log = o.log ?? (() => undefined);
  const runDir = o.runDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "gateway-"));
  const ownsRunDir = !o.runDir;
  fs.mkdirSync(runDir, { recursive: true });
  // Workers run as nobody when the master is root: they must reach the temp paths in here.
  fs.chmodSync(runDir, 0o755);
  const pidFile = path.join(runDir, "nginx.pid");
  await stopLeftover(pidFile);
  const host = o.host ?? "127.0.0.1";
  const configFile = path.join(runDir, "nginx.conf");
  const accessLog = path.join(runDir, "access.log");
  fs.writeFileSync(accessLog, "");
  fs.writeFileSync(
    configFile,
    renderNginxConf({
      listen: `${host}:${o.port}`,
      upstreams: o.upstreams,
      runDir,
      // The documentation files straight from the working tree (docs/, node_modules).
      filesRoot: path.resolve(__dirname, "../.."),
      accessLog,
      filesOnly: o.filesOnly,
      header:
        "Rendered by scripts/stack/gateway.ts from gateway/routes.json; rewritten each start.",
    }),
  );
  // -e: nginx's start-up messages go to stderr, not to the packaged /var/log/nginx/error.log.
  const args = ["-e", "stderr", "-p", runDir, "-c", configFile];
  const check = spawnSync(bin, [...args, "-t", "-q"], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`gateway: nginx -t failed: ${check.stderr.trim()}`);
  const child = spawn(bin, [...args, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on("line", (line) => log(line));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stopTail = tailFile(accessLog, log);
  const url = `http://127.0.0.1:${o.port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGQUIT: graceful; SIGTERM (fast) if it lingers. Never SIGKILL the master: its workers
      // would be orphaned and keep the port.
      child.kill("SIGQUIT");
      const fast = setTimeout(() => child.kill("SIGTERM"), 5_000);
      await exited;
      clearTimeout(fast);
    }
    stopTail();
    if (ownsRunDir) fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await waitListening(url, child, pidFile, 15_000);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, port: o.port, configFile, process: child, close };
}
