// The one nginx config of the API gateway, rendered from gateway/routes.json: `npm start` and the
// end-to-end suite run it with local upstreams, and gateway/nginx.conf (the compose gateway) is
// its output for the compose service names (`npm run gateway:render` writes it; the delivery
// tests check the file is current). Only the listen address, the upstream servers and where
// nginx keeps its files differ between them.
import routeTable from "../../gateway/routes.json";

export interface GatewayRoute {
  path: string;
  match: "prefix" | "exact";
  service: string;
}

export const routes = routeTable.routes as GatewayRoute[];
export const services = routeTable.services as Record<string, { port: number }>;

/** A file the gateway serves itself (the API documentation), relative to `filesRoot`. */
export interface GatewayFile {
  path: string;
  file: string;
  type: string;
}

export const files = routeTable.files as GatewayFile[];

/** Where the gateway image keeps `files` (same relative paths as in the repository). */
export const IMAGE_FILES_ROOT = "/usr/share/nginx/api";

/** Largest request body the gateway forwards (1 MiB): the services' JSON parsers allow the same. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface NginxConfOptions {
  /** nginx `listen` argument: "8080" or "127.0.0.1:18080". */
  listen: string;
  /** Servers ("host:port") per service of the route table; several are balanced round robin. */
  upstreams: Record<string, string[]>;
  /** The directory `files` are relative to: the repository locally, IMAGE_FILES_ROOT in the image. */
  filesRoot: string;
  /** Directory for the pid file and the temp paths (writable by the nginx master). */
  runDir: string;
  /** Where the access log goes: /dev/stdout in a container; a file when nginx's stdout is a
   * socket (a Node child process), which nginx cannot open by path. */
  accessLog?: string;
  /** A note at the top of the file: how it was made. */
  header?: string;
  /**
   * Serve only `files` (the API documentation) and the health route, proxying nothing: the
   * Helm chart's gateway, which sits beside the Ingress that routes the services itself.
   */
  filesOnly?: boolean;
}

// The services keep the caller's X-Request-Id when it matches this (libs/shared context,
// SANE_REQUEST_ID); the gateway keeps the same ids and replaces every other one, so the id it
// logs and answers with is the one the service uses.
const SANE_REQUEST_ID = "^[A-Za-z0-9._:@/+=-]{1,128}$";

function problem(status: number, code: string, title: string, detail: string): string {
  const body = JSON.stringify({
    type: `https://errors.product-ordering.dev/${code.toLowerCase().replace(/_/g, "-")}`,
    title,
    status,
    code,
    detail,
    requestId: "__REQUEST_ID__",
  }).replace('"__REQUEST_ID__"', '"$gateway_request_id"');
  return `'${body}'`;
}

function location(route: GatewayRoute): string {
  // "prefix" is the path itself or anything under it (/api/v1/orders, /api/v1/orders/...),
  // never a longer word (/api/v1/ordersx).
  const match =
    route.match === "exact" ? `= ${route.path}` : `~ ^${route.path.replace(/[.]/g, "\\.")}(/|$)`;
  return [`    location ${match} {`, `      proxy_pass http://${route.service};`, `    }`].join(
    "\n",
  );
}

// A location answering a problem body itself (no upstream), with the request id and `headers`.
function problemLocation(match: string, status: number, body: string, ...headers: string[]) {
  return [
    `    location ${match} {`,
    "      add_header X-Request-Id $gateway_request_id always;",
    ...headers.map((header) => `      add_header ${header} always;`),
    `      return ${status} ${body};`,
    "    }",
  ].join("\n");
}

const NOT_FOUND = { code: "NOT_FOUND", title: "Not found", detail: "No route for this path." };

// The requests nginx refuses before any route (`from` is nginx's own code, `status` what is
// sent): unreadable, an internal location asked for from outside, TRACE, a request line or
// headers over its buffers (494 is nginx's code for the last; 431 on the wire).
const EARLY_REFUSALS = [
  {
    from: 400,
    status: 400,
    code: "BAD_REQUEST",
    title: "Bad request",
    detail: "The request could not be read.",
  },
  { from: 404, status: 404, ...NOT_FOUND },
  {
    from: 405,
    status: 405,
    code: "METHOD_NOT_ALLOWED",
    title: "Method not allowed",
    detail: "The gateway does not accept this method.",
  },
  {
    from: 414,
    status: 414,
    code: "URI_TOO_LONG",
    title: "URI too long",
    detail: "The request line is too long.",
  },
  {
    from: 494,
    status: 431,
    code: "HEADERS_TOO_LARGE",
    title: "Request header fields too large",
    detail: "The request headers, or one of them, are too large.",
  },
];
const REFUSALS_PATH = "/.gateway-refusals";

function refusalLocation(refusal: (typeof EARLY_REFUSALS)[number]): string {
  const { status, code, title, detail } = refusal;
  return [
    `    location = ${REFUSALS_PATH}/${status} {`,
    "      internal;",
    "      add_header X-Request-Id $gateway_request_id always;",
    `      return ${status} ${problem(status, code, title, detail)};`,
    "    }",
  ].join("\n");
}

// GET and HEAD only; any other method gets the same 404 as an unknown path.
function fileLocation(entry: GatewayFile, root: string): string {
  return [
    `    location = ${entry.path} {`,
    "      add_header X-Request-Id $gateway_request_id always;",
    '      add_header Cache-Control "no-cache" always;',
    // A bare 404: error_page answers it with the problem+json, not in this file's type.
    "      if ($request_method !~ ^(GET|HEAD)$) { return 404; }",
    "      types { }",
    `      default_type "${entry.type}";`,
    `      alias ${root.replace(/\/$/, "")}/${entry.file};`,
    "    }",
  ].join("\n");
}

// Several servers are balanced round robin (the zone shares the turn between nginx's workers);
// one that refuses a connection is skipped and, when there are several, rested for nginx's
// default fail_timeout (10 s).
function upstream(service: string, servers: string[]): string {
  if (servers.length === 0) throw new Error(`gateway: no upstream server for ${service}`);
  const list = servers.map((s) => `server ${s}; `).join("");
  return `  upstream ${service} { ${list}zone ${service} 64k; keepalive 16; }`;
}

export function renderNginxConf(o: NginxConfOptions): string {
  const proxied = o.filesOnly ? [] : routes;
  const used = [...new Set(proxied.map((r) => r.service))];
  const missing = used.filter((s) => !o.upstreams[s]);
  if (missing.length) throw new Error(`gateway: no upstream for ${missing.join(", ")}`);
  const notFound = problem(404, NOT_FOUND.code, NOT_FOUND.title, NOT_FOUND.detail);
  const tooLarge = problem(
    413,
    "PAYLOAD_TOO_LARGE",
    "Payload too large",
    `The request body exceeds ${BODY_LIMIT_BYTES} bytes.`,
  );
  const unavailable = problem(
    503,
    "SERVICE_UNAVAILABLE",
    "Service unavailable",
    "No replica of the service behind this route answered; retry after the given time.",
  );
  const gatewayTimeout = problem(
    504,
    "GATEWAY_TIMEOUT",
    "Gateway timeout",
    "The service behind this route did not answer in time.",
  );
  const header = (o.header ?? "").split("\n").filter(Boolean);
  return [
    ...header.map((line) => `# ${line}`),
    ...(o.filesOnly
      ? [
          "# The API documentation of gateway/routes.json (`files`), served beside the Helm chart's",
          "# Ingress, which routes the services itself. Every other path answers 404 here.",
        ]
      : [
          "# The API gateway: exactly the routes of gateway/routes.json (the contract's Gateway",
          "# routes). /internal/* and every other path answer 404 here.",
        ]),
    "worker_processes auto;",
    `pid ${o.runDir}/nginx.pid;`,
    "",
    "events {",
    "  worker_connections 1024;",
    "}",
    "",
    "http {",
    `  client_body_temp_path ${o.runDir}/client_temp;`,
    `  proxy_temp_path ${o.runDir}/proxy_temp;`,
    `  fastcgi_temp_path ${o.runDir}/fastcgi_temp;`,
    `  uwsgi_temp_path ${o.runDir}/uwsgi_temp;`,
    `  scgi_temp_path ${o.runDir}/scgi_temp;`,
    "",
    "  # Keep the caller's X-Request-Id when the services would keep it too, else make one.",
    "  map $http_x_request_id $gateway_request_id {",
    `    "~${SANE_REQUEST_ID}" $http_x_request_id;`,
    "    default $request_id;",
    "  }",
    "",
    `  log_format gateway escape=json '{"time":"$time_iso8601","requestId":"$gateway_request_id",'`,
    `    '"method":"$request_method","path":"$uri","status":$status,"upstream":"$upstream_addr",'`,
    `    '"durationSeconds":"$request_time"}';`,
    `  access_log ${o.accessLog ?? "/dev/stdout"} gateway;`,
    "  error_log stderr warn;",
    "",
    "  server_tokens off;",
    `  client_max_body_size ${BODY_LIMIT_BYTES};`,
    "  # Bodies up to the limit and the services' answers stay in memory, never in the temp paths:",
    "  # workers of a root master run as nobody, and npm start's run directory (.local, private for",
    "  # the signing keys) is closed to them; a spilled 12 KB body answered 500 there.",
    `  client_body_buffer_size ${BODY_LIMIT_BYTES};`,
    "  proxy_max_temp_file_size 0;",
    "  proxy_http_version 1.1;",
    '  proxy_set_header Connection "";',
    "  proxy_set_header Host $host;",
    "  proxy_set_header X-Request-Id $gateway_request_id;",
    "  # The gateway is the edge: whatever X-Forwarded-For the client sent is replaced by the",
    "  # address it connected from, so a service's client address cannot be forged.",
    "  proxy_set_header X-Forwarded-For $remote_addr;",
    "  proxy_set_header X-Real-IP $remote_addr;",
    "  proxy_set_header X-Forwarded-Proto $scheme;",
    "  proxy_read_timeout 30s;",
    "  # A replica that refuses the connection or fails before answering is skipped for the next",
    "  # one. nginx never resends a POST it already sent (it cannot know whether the service",
    "  # acted), so a refused connection is retried for every method and a lost answer only for",
    "  # GET and HEAD; what is left answers 503 with Retry-After below.",
    "  proxy_next_upstream error timeout;",
    "  proxy_next_upstream_tries 2;",
    "  proxy_connect_timeout 2s;",
    "",
    ...used.map((s) => upstream(s, o.upstreams[s]!)),
    "",
    "  server {",
    `    listen ${o.listen};`,
    "",
    "    default_type application/problem+json;",
    // A URI, not a named location: a request line nginx could not read has no URI to keep.
    ...EARLY_REFUSALS.map(({ from, status }) =>
      from === status
        ? `    error_page ${from} ${REFUSALS_PATH}/${status};`
        : `    error_page ${from} =${status} ${REFUSALS_PATH}/${status};`,
    ),
    "    error_page 413 @too_large;",
    "    error_page 502 =503 @unavailable;",
    "    error_page 504 @gateway_timeout;",
    "",
    ...(proxied.length
      ? [
          "    # --- routes of gateway/routes.json",
          ...proxied.map(location),
          "    # --- end of routes",
          "",
        ]
      : []),
    "    # --- files of gateway/routes.json: the API documentation, served by the gateway itself",
    ...files.map((f) => fileLocation(f, o.filesRoot)),
    "    # --- end of files",
    "",
    "    # The gateway's own liveness, for the compose healthcheck.",
    "    location = /health/live {",
    "      default_type application/json;",
    `      return 200 '{"status":"ok"}';`,
    "    }",
    "",
    problemLocation("/internal", 404, notFound),
    "",
    problemLocation("/", 404, notFound),
    "",
    problemLocation("@too_large", 413, tooLarge),
    "",
    "    # What nginx refuses itself, before any route (it would answer an HTML page).",
    ...EARLY_REFUSALS.map(refusalLocation),
    "",
    "    # No replica answered (down, or died with the request): 503 with Retry-After, which a",
    "    # client may retry (POST /api/v1/orders with its Idempotency-Key) instead of a bare 502.",
    problemLocation("@unavailable", 503, unavailable, "Retry-After 1"),
    "",
    problemLocation("@gateway_timeout", 504, gatewayTimeout),
    "  }",
    "}",
    "",
  ].join("\n");
}

/** The compose gateway: each service by its compose name and the port of the route table. */
export function composeNginxConf(): string {
  return renderNginxConf({
    listen: "8080",
    upstreams: Object.fromEntries(
      Object.entries(services).map(([name, { port }]) => [name, [`${name}:${port}`]]),
    ),
    runDir: "/tmp",
    filesRoot: IMAGE_FILES_ROOT,
    header:
      "Generated from gateway/routes.json by `npm run gateway:render` (scripts/gateway/nginxConf.ts);\nedit those, not this file. The compose gateway mounts it as /etc/nginx/nginx.conf.",
  });
}

/** Where the Helm chart keeps its gateway's config (a ConfigMap mounts it). */
export const HELM_NGINX_CONF = "helm/product-ordering/files/gateway-nginx.conf";

/** The Helm chart's gateway: the API documentation only, since its Ingress routes the services. */
export function helmNginxConf(): string {
  return renderNginxConf({
    listen: "8080",
    upstreams: {},
    runDir: "/tmp",
    filesRoot: IMAGE_FILES_ROOT,
    filesOnly: true,
    header:
      "Generated from gateway/routes.json by `npm run gateway:render` (scripts/gateway/nginxConf.ts);\nedit those, not this file. The chart's gateway Deployment mounts it as /etc/nginx/nginx.conf.",
  });
}
