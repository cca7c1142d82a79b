// `npm run gateway:render`: writes gateway/nginx.conf (the compose gateway) from
// gateway/routes.json; `--check` exits 1 when the committed file is out of date.
import fs from "node:fs";
import path from "node:path";
import { composeNginxConf } from "./nginxConf";

const file = path.resolve(__dirname, "../../gateway/nginx.conf");
const rendered = composeNginxConf();
if (process.argv.includes("--check")) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  if (current !== rendered) {
    process.stderr.write("gateway/nginx.conf is out of date: run npm run gateway:render\n");
    process.exit(1);
  }
} else {
  fs.writeFileSync(file, rendered);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
