// Forwards a request an HTTP worker does not answer itself to the primary process, streaming both ways (event streams
// included) and telling the primary who the client is.
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpError, sendError } from './errors.js';

export type Forward = (req: IncomingMessage, res: ServerResponse) => void;

/** Headers that describe one hop, not the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export function createForward(upstreamPort: number): Forward {
  const agent = new Agent({ keepAlive: true });
  return (req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const client = req.socket.remoteAddress ?? '';
    const forwardedFor = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)}, ${client}` : client;
    const upstream = request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent },
      (answer: IncomingMessage) => {
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        }
        // Answered before the client finished sending (a refused upload): the rest will not be read, so the
        // connection ends with this answer instead of waiting for a body nobody wants.
        if (!req.complete) answerHeaders.connection = 'close';
        res.writeHead(answer.statusCode ?? 502, answerHeaders);
        // Event streams must reach the browser as they are written.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', (cause) =>
      sendError(res, new HttpError({ status: 502, code: 'bad_gateway', message: 'the gateway is not answering', cause })),
    );
    // A client that goes away (a closed event stream) releases the primary's side too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    // Headers go out now, not with the first body chunk: an upload refused on its headers is refused at once.
    upstream.flushHeaders();
    req.pipe(upstream);
  };
}
