import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { requestIdFrom } from "../context";
import { problemBody, problems, PROBLEM_CONTENT_TYPE, type ProblemInit } from "../errors";

// What Node's HTTP parser refuses before any route runs. Without a handler Node answers a bare
// status line with no body; a client gets the same problem+json here as from every route.
function problemFor(code: string | undefined): ProblemInit {
  if (code === "HPE_HEADER_OVERFLOW") return problems.headersTooLarge().problem;
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return problems.requestTimeout().problem;
  return problems.badRequest(400, "The request could not be read.").problem;
}

// The request's X-Request-Id line, read from the bytes the parser refused (the header block of a
// request comes in one packet from a gateway, which puts its own headers first).
const REQUEST_ID_LINE = /\r\nx-request-id:[ \t]*([^\r\n]*?)[ \t]*\r\n/i;

function requestIdOf(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): string {
  const match = error.rawPacket ? REQUEST_ID_LINE.exec(error.rawPacket.toString("latin1")) : null;
  return requestIdFrom(match?.[1]);
}

/** The response of this connection in progress, if Node has begun one (as its own default). */
type ServerSocket = Duplex & { _httpMessage?: { headersSent?: boolean } | null };

/** The server's `clientError` listener: a problem+json answer, then the connection closes. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset peer hears nothing; once headers of a response went out, a status line would corrupt
  // it. Earlier answers on a kept-alive connection (a gateway's) do not: this request gets its own.
  if (
    error.code === "ECONNRESET" ||
    !socket.writable ||
    (socket as ServerSocket)._httpMessage?.headersSent
  ) {
    socket.destroy();
    return;
  }
  const requestId = requestIdOf(error);
  const problem = problemFor(error.code);
  const body = JSON.stringify({ ...problemBody(problem), requestId });
  socket.end(
    [
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
      `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}
