import { request, type Agent } from 'node:http';

/**
 * POSTs a prepared push body to /v1/samples and resolves with Warden's counts; anything but 200
 * rejects with the status and body. For the load clients (worker threads: no Warden imports here).
 */
export function postBatch(agent: Agent, port: number, body: Buffer): Promise<{ accepted: number; skipped: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/samples', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('error', reject); // a reset mid-response rejects this batch, not the whole process
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`push answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
