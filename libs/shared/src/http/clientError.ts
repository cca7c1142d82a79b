import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { problemBody, problems, PROBLEM_CONTENT_TYPE, type ProblemInit } from "../errors";

// What Node's HTTP parser refuses before any route runs. Without a handler Node answers a bare
// status line with no body; a client gets the same problem+json here as from every route.
function problemFor(code: string | undefined): ProblemInit {
  if (code === "HPE_HEADER_OVERFLOW") return problems.headersTooLarge().problem;
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return problems.requestTimeout().problem;
  return problems.badRequest(400, "The request could not be read.").problem;
}

/** The server's `clientError` listener: a problem+json answer, then the connection closes. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset peer hears nothing; after bytes of a response went out, a status line would corrupt it.
  const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (error.code === "ECONNRESET" || !socket.writable || written > 0) {
    socket.destroy();
    return;
  }
  const problem = problemFor(error.code);
  const body = JSON.stringify(problemBody(problem));
  socket.end(
    [
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}`,
      `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}
