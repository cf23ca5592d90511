// A local OTLP/HTTP receiver for the benchmark: reads each export to the end and answers 200 without parsing it,
// so the traced variants pay for creating, batching, serialising and sending spans, and the sink costs the same
// for every variant. Prints {"event":"ready","port":N}.
import http from 'node:http';

let requests = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: server.address().port, address: `http://127.0.0.1:${server.address().port}` })));
process.on('SIGTERM', () => {
  console.error(JSON.stringify({ requests, bytes }));
  process.exit(0);
});
