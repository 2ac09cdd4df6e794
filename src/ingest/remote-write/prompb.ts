import protobuf from 'protobufjs';

/**
 * The remote-write messages, from Prometheus' own definitions (Apache-2.0, The Prometheus Authors):
 * prompb/remote.proto + prompb/types.proto (remote-write 1.0, `prometheus.WriteRequest`) and
 * prompb/io/prometheus/write/v2/types.proto (remote-write 2.0, `io.prometheus.write.v2.Request`).
 * Only the gogoproto options are left out (they shape generated Go code, not the wire format) and
 * the remote-read messages, which Warden does not serve. Field numbers and types are upstream's:
 * protobufjs decodes them, nothing here is a hand-written codec. Kept as text in a module (not a
 * .proto file) so the build (tsc) ships it without a copy step.
 */
const PROMPB_V1 = `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated prometheus.TimeSeries timeseries = 1;
  // Cortex uses this field to determine the source of the write request.
  reserved 2;
  repeated prometheus.MetricMetadata metadata = 3;
}

message MetricMetadata {
  enum MetricType {
    UNKNOWN        = 0;
    COUNTER        = 1;
    GAUGE          = 2;
    HISTOGRAM      = 3;
    GAUGEHISTOGRAM = 4;
    SUMMARY        = 5;
    INFO           = 6;
    STATESET       = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}

message Sample {
  double value    = 1;
  int64 timestamp = 2;
}

message Exemplar {
  repeated Label labels = 1;
  double value = 2;
  int64 timestamp = 3;
}

message Histogram {
  enum ResetHint {
    UNKNOWN = 0;
    YES     = 1;
    NO      = 2;
    GAUGE   = 3;
  }
  oneof count {
    uint64 count_int   = 1;
    double count_float = 2;
  }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count {
    uint64 zero_count_int   = 6;
    double zero_count_float = 7;
  }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  ResetHint reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
}

message BucketSpan {
  sint32 offset = 1;
  uint32 length = 2;
}

message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Exemplar exemplars = 3;
  repeated Histogram histograms = 4;
}

message Label {
  string name  = 1;
  string value = 2;
}
`;

const PROMPB_V2 = `
syntax = "proto3";
package io.prometheus.write.v2;

message Request {
  reserved 1 to 3;
  repeated string symbols = 4;
  repeated TimeSeries timeseries = 5;
}

message TimeSeries {
  repeated uint32 labels_refs = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 3;
  repeated Exemplar exemplars = 4;
  Metadata metadata = 5;
  int64 created_timestamp = 6;
}

message Exemplar {
  repeated uint32 labels_refs = 1;
  double value = 2;
  int64 timestamp = 3;
}

message Sample {
  double value = 1;
  int64 timestamp = 2;
}

message Metadata {
  enum MetricType {
    METRIC_TYPE_UNSPECIFIED    = 0;
    METRIC_TYPE_COUNTER        = 1;
    METRIC_TYPE_GAUGE          = 2;
    METRIC_TYPE_HISTOGRAM      = 3;
    METRIC_TYPE_GAUGEHISTOGRAM = 4;
    METRIC_TYPE_SUMMARY        = 5;
    METRIC_TYPE_INFO           = 6;
    METRIC_TYPE_STATESET       = 7;
  }
  MetricType type = 1;
  uint32 help_ref = 3;
  uint32 unit_ref = 4;
}

message Histogram {
  enum ResetHint {
    RESET_HINT_UNSPECIFIED = 0;
    RESET_HINT_YES         = 1;
    RESET_HINT_NO          = 2;
    RESET_HINT_GAUGE       = 3;
  }
  oneof count {
    uint64 count_int   = 1;
    double count_float = 2;
  }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count {
    uint64 zero_count_int   = 6;
    double zero_count_float = 7;
  }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  ResetHint reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
}

message BucketSpan {
  sint32 offset = 1;
  uint32 length = 2;
}
`;

/** int64 fields decode to a number, or to a Long when the `long` package is present (it is). */
export type Int64 = number | { toNumber(): number };

/** prometheus.WriteRequest as protobufjs decodes it (absent repeated fields are empty arrays). */
export interface WriteRequestV1 {
  timeseries: Array<{
    labels: Array<{ name: string; value: string }>;
    samples: Array<{ value: number; timestamp: Int64 }>;
    exemplars: unknown[];
    histograms: unknown[];
  }>;
  metadata: unknown[];
}

/** io.prometheus.write.v2.Request as protobufjs decodes it. */
export interface WriteRequestV2 {
  symbols: string[];
  timeseries: Array<{
    labelsRefs: number[];
    samples: Array<{ value: number; timestamp: Int64 }>;
    histograms: unknown[];
    exemplars: unknown[];
  }>;
}

const root = new protobuf.Root();
protobuf.parse(PROMPB_V1, root, { keepCase: false });
protobuf.parse(PROMPB_V2, root, { keepCase: false });
root.resolveAll();

/** The two message types, resolved once at load. */
export const WriteRequestType: protobuf.Type = root.lookupType('prometheus.WriteRequest');
export const WriteRequestV2Type: protobuf.Type = root.lookupType('io.prometheus.write.v2.Request');

/** The Content-Type `proto=` names of the two messages (remote-write 2.0 spec, "Content-Type"). */
export const PROTO_V1 = 'prometheus.WriteRequest';
export const PROTO_V2 = 'io.prometheus.write.v2.Request';
