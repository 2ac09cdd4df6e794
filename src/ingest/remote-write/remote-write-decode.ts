import protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';
import { RequestError, errorMessage } from '../../errors';
import { WriteRequestType, WriteRequestV2Type, type WriteRequestV1, type WriteRequestV2 } from './prompb';
import type { RemoteWriteVersion } from './remote-write-format';
import { InterningReader } from './interning-reader';
import type { RemoteWriteBatch, RemoteWriteValidator } from './remote-write-validation';

/**
 * The length a snappy block says it decodes to: its preamble is a little-endian base-128 varint
 * (the snappy format description), the same encoding as a protobuf varint, so protobufjs' Reader
 * reads it. Checked before decompressing, so a small body that claims 4 GiB allocates nothing.
 */
export function snappyDecodedLength(body: Uint8Array): number {
  try {
    return protobuf.Reader.create(body).uint32();
  } catch (err) {
    throw new RequestError(400, 'invalid_snappy', `body is not snappy block-compressed: ${errorMessage(err)}`);
  }
}

/** Decompresses (snappy block format, as remote-write requires) with the decoded size bounded. */
export function decompress(body: Uint8Array, maxDecodedBytes: number): Buffer {
  const declared = snappyDecodedLength(body);
  if (declared > maxDecodedBytes) {
    throw new RequestError(413, 'payload_too_large', `snappy body decodes to ${declared} bytes, over the ${maxDecodedBytes} byte limit (limits.max_body)`);
  }
  try {
    return uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new RequestError(400, 'invalid_snappy', `body is not snappy block-compressed: ${errorMessage(err)}`);
  }
}

function decodeMessage(raw: Buffer, version: RemoteWriteVersion): WriteRequestV1 | WriteRequestV2 {
  try {
    return (version === 1 ? WriteRequestType : WriteRequestV2Type).decode(new InterningReader(raw)) as unknown as WriteRequestV1 | WriteRequestV2;
  } catch (err) {
    const message = version === 1 ? 'prometheus.WriteRequest' : 'io.prometheus.write.v2.Request';
    throw new RequestError(400, 'malformed_protobuf', `body is not a protobuf ${message}: ${errorMessage(err)}`);
  }
}

/**
 * A remote-write body to validated samples: decompress, decode, validate, all before anything is
 * applied. The cost is linear in the body (no step looks anything up in the store). Pure CPU: the
 * route runs it here for common bodies and on the parse worker for large ones.
 */
export function readRemoteWrite(body: Uint8Array, version: RemoteWriteVersion, validator: RemoteWriteValidator, receivedAtMs: number, maxDecodedBytes: number): RemoteWriteBatch {
  const message = decodeMessage(decompress(body, maxDecodedBytes), version);
  return version === 1 ? validator.v1(message as WriteRequestV1, receivedAtMs) : validator.v2(message as WriteRequestV2, receivedAtMs);
}
