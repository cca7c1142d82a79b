// A stand-in for the Kubernetes API server, just enough for Helm's `lookup` of Secrets: the core
// group's discovery document and GET of one Secret (404 for anything it does not hold). helm-java
// renders with a Kubernetes client (unlike `helm template`, whose lookup never asks a cluster),
// so the chart is rendered against this, never against whatever cluster the machine points at.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface FakeCluster {
  /** A kubeconfig file pointing at this server. */
  kubeconfig: string;
  /** The requests it answered, e.g. "GET /api/v1/namespaces/ns/secrets/name 200". */
  requests: string[];
  close(): Promise<void>;
}

/** secrets: "<namespace>/<name>" -> data (base64 values, as the API returns them). */
export async function startFakeCluster(
  secrets: Record<string, Record<string, string>>,
  dir: string,
): Promise<FakeCluster> {
  const requests: string[] = [];
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://cluster");
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname);
    let status = 404;
    if (req.method === "GET" && url.pathname === "/api/v1") {
      status = 200;
      json(res, status, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: "v1",
        resources: [
          {
            name: "secrets",
            singularName: "secret",
            namespaced: true,
            kind: "Secret",
            verbs: ["get", "list"],
          },
        ],
      });
    } else if (req.method === "GET" && secret && secrets[`${secret[1]}/${secret[2]}`]) {
      status = 200;
      json(res, status, {
        kind: "Secret",
        apiVersion: "v1",
        metadata: { name: secret[2], namespace: secret[1] },
        type: "Opaque",
        data: secrets[`${secret[1]}/${secret[2]}`],
      });
    } else {
      json(res, status, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "NotFound",
        code: 404,
      });
    }
    requests.push(`${req.method} ${url.pathname} ${status}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fs.mkdirSync(dir, { recursive: true });
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      `clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:${port}" } }]`,
      "users: [{ name: fake, user: {} }]",
      "contexts: [{ name: fake, context: { cluster: fake, user: fake } }]",
      "current-context: fake",
      "",
    ].join("\n"),
  );
  return {
    kubeconfig,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
