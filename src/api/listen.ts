import type { Server } from 'node:http';
import type { Express } from 'express';

/** Starts listening and resolves once bound; port 0 picks a free one, reported back in `port` and `baseUrl`. */
export async function listen(app: Express, port = 0, host = '127.0.0.1'): Promise<{ server: Server; port: number; baseUrl: string }> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return { server, port: bound, baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
