// The ceiling: a bare node:http server answering every request with a small JSON object,
// serialised per request like the API does. Plain JavaScript, run by plain node.
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  const body = JSON.stringify({ id: 1, product_name: 'Mug', price: 19.99, stock: 10, url: request.url });
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});

server.listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
