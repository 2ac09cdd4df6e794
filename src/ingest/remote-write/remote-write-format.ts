import { RequestError } from '../../errors';
import { PROTO_V1, PROTO_V2 } from './prompb';

/** Which remote-write message a request carries. */
export type RemoteWriteVersion = 1 | 2;

const MEDIA_TYPE = 'application/x-protobuf';

/**
 * The message a request carries, from its Content-Type and Content-Encoding (remote-write 2.0 spec,
 * "Content-Type" and "Content-Encoding"; 1.0 senders send `application/x-protobuf` alone). As
 * Prometheus' own receiver does, an absent Content-Type means 1.0 and an absent Content-Encoding
 * means snappy ("don't break yolo 1.0 clients"): a body that is not snappy then fails with 400.
 * Anything else it cannot read is 415, which senders do not retry.
 */
export function remoteWriteVersion(contentType: string | undefined, contentEncoding: string | undefined): RemoteWriteVersion {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'snappy') {
    throw new RequestError(415, 'unsupported_encoding', `${encoding} encoding (compression) is not accepted; only snappy is acceptable`);
  }
  if (contentType === undefined || contentType.trim() === '') return 1;
  const [media, ...params] = contentType.split(';').map((p) => p.trim());
  if ((media ?? '').toLowerCase() !== MEDIA_TYPE) {
    throw new RequestError(415, 'unsupported_media_type', `expected ${MEDIA_TYPE} (remote-write ${PROTO_V1} or ${PROTO_V2}), got ${JSON.stringify(contentType)}`);
  }
  for (const p of params) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw new RequestError(415, 'unsupported_media_type', `Content-Type parameter ${JSON.stringify(p)} is not a key=value pair (RFC 9110 §5.6.6)`);
    if (p.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    const proto = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (proto === PROTO_V1) return 1;
    if (proto === PROTO_V2) return 2;
    throw new RequestError(415, 'unsupported_media_type', `protobuf message ${JSON.stringify(proto)} is not accepted; accepted: ${PROTO_V1}, ${PROTO_V2}`);
  }
  return 1;
}
