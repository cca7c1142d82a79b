// `npm run gateway:render`: writes gateway/nginx.conf (the compose gateway) and the Helm chart's
// files/gateway-nginx.conf from gateway/routes.json; `--check` exits 1 when a committed file is
// out of date.
import fs from "node:fs";
import path from "node:path";
import { composeNginxConf, HELM_NGINX_CONF, helmNginxConf } from "./nginxConf";

const REPO = path.resolve(__dirname, "../..");
const outputs: [string, string][] = [
  ["gateway/nginx.conf", composeNginxConf()],
  [HELM_NGINX_CONF, helmNginxConf()],
];
let stale = false;
for (const [relative, rendered] of outputs) {
  const file = path.join(REPO, relative);
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current !== rendered) {
      process.stderr.write(`${relative} is out of date: run npm run gateway:render\n`);
      stale = true;
    }
  } else {
    fs.writeFileSync(file, rendered);
    process.stdout.write(`wrote ${relative}\n`);
  }
}
if (stale) process.exit(1);
