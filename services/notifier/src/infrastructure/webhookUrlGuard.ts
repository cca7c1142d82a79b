import dns, { type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import type { UrlGuard } from "../application/ports";

/** Only addresses ipaddr.js calls plain unicast are public: no loopback, private, link-local, CGNAT, multicast or reserved range. */
function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === "unicast";
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * SSRF guard for webhook URLs: https only, no credentials in the URL, and a host that resolves to
 * public addresses only, unless private networks are allowed (the local stack and tests). The
 * same check runs again as the connection's own DNS lookup, so a name that resolves to a public
 * address when registered and to a private one later (DNS rebinding) is refused at send time.
 */
export class WebhookUrlGuard implements UrlGuard {
  constructor(private readonly allowPrivateNetworks: boolean) {}

  async refusal(raw: string): Promise<string | null> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return "the URL is not valid";
    }
    const schemes = this.allowPrivateNetworks ? ["https:", "http:"] : ["https:"];
    if (!schemes.includes(url.protocol)) return `the URL's scheme must be ${schemes.join(" or ")}`;
    if (url.username || url.password) return "the URL must not carry credentials";
    if (this.allowPrivateNetworks) return null;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    let addresses: string[];
    try {
      addresses = isIP(host)
        ? [host]
        : (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return `the host ${host} cannot be resolved`;
    }
    const blocked = addresses.find((a) => !isPublicAddress(a));
    return blocked ? `the host ${host} resolves to a non-public address (${blocked})` : null;
  }

  /** A `lookup` for http.request that refuses non-public addresses (unless allowed). */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const blocked = this.allowPrivateNetworks
        ? undefined
        : addresses.find((a) => !isPublicAddress(a.address));
      if (blocked)
        return callback(
          Object.assign(
            new Error(`${hostname} resolves to a non-public address (${blocked.address})`),
            {
              code: "EADDRNOTPUBLIC",
            },
          ),
          [],
        );
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
