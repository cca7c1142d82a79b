// Tests never reach the internet by accident: every TCP (and so TLS, HTTP, fetch, MySQL, Redis,
// Kafka, SMTP) connection opened in a test process must go to loopback or to a server the
// environment names for tests (DATABASE_URL, REDIS_URL, KAFKA_BROKERS: Testcontainers may put them
// on another host). Anything else fails like a refused connection, with an error that says why.
// A wrapper around net.Socket.prototype.connect, the one call every client library ends in: nock
// covers HTTP only, and mitm misses sockets made with `new net.Socket()` and turns keep-alive off.
const dns = require("node:dns");
const net = require("node:net");
// The real process: Jest hands each test file a copy, and the wrapper outlives the first file.
const { env, nextTick } = require("node:process");

const loopback = new net.BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

function isLoopback(address) {
  const plain = address.replace(/^::ffff:(?=\d+\.)/i, "");
  const family = net.isIP(plain);
  return family !== 0 && loopback.check(plain, family === 4 ? "ipv4" : "ipv6");
}

/** Hosts of the test servers the environment names (read at connect time: globalSetup sets them). */
function testServerHosts() {
  const hosts = [];
  for (const url of [env.DATABASE_URL, env.REDIS_URL]) {
    if (url && URL.canParse(url)) hosts.push(new URL(url).hostname.replace(/^\[|\]$/g, ""));
  }
  for (const broker of (env.KAFKA_BROKERS ?? "").split(",")) {
    const host = broker.trim().replace(/:\d+$/, "");
    if (host) hosts.push(host.replace(/^\[|\]$/g, ""));
  }
  return hosts;
}

function refusal(host, port) {
  return Object.assign(
    new Error(
      `outbound network blocked in tests: ${host}:${port} is not loopback (libs/shared/jest/blockOutboundNetwork.js)`,
    ),
    { code: "ECONNREFUSED", address: host, port },
  );
}

/** connect()'s options whichever way it was called: (options), (port, host), (path) or normalized [options, cb]. */
function connectOptions(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === "object") return first;
  if (typeof first === "string" && !/^\d+$/.test(first)) return { path: first };
  return { port: first, host: typeof args[1] === "string" ? args[1] : undefined };
}

const installed = Symbol.for("product-ordering.blockOutboundNetwork");

function lastCallback(args) {
  const list = Array.isArray(args[0]) ? args[0] : args;
  return list.findLast((a) => typeof a === "function");
}

// Core modules are shared by every test file a Jest worker runs: wrap connect once per worker.
if (!net.Socket.prototype[installed]) {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype[installed] = true;
  net.Socket.prototype.connect = function connect(...args) {
    const options = connectOptions(args);
    if (options.path !== undefined) return originalConnect.apply(this, args); // a local socket file
    const host = options.host ?? "localhost";
    const port = options.port;
    if (host === "localhost" || isLoopback(host) || testServerHosts().includes(host)) {
      return originalConnect.apply(this, args);
    }
    if (net.isIP(host)) {
      nextTick(() => this.destroy(refusal(host, port)));
      return this;
    }
    // A name: allowed only when every address it resolves to is loopback (the caller's own lookup,
    // such as the notifier's SSRF guard, still runs first).
    const lookup = options.lookup ?? dns.lookup;
    const guardedLookup = (hostname, lookupOptions, callback) =>
      lookup(hostname, lookupOptions, (error, address, family) => {
        if (error) return callback(error, address, family);
        const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
        const outside = addresses.find((a) => !isLoopback(a));
        if (outside !== undefined) return callback(refusal(`${hostname} (${outside})`, port));
        callback(null, address, family);
      });
    return originalConnect.call(this, { ...options, lookup: guardedLookup }, lastCallback(args));
  };
}
