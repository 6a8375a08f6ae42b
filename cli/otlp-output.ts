/**
 * `podlife history ... -o otlp`: the incarnations as one OTLP/JSON ExportTraceServiceRequest (a
 * resource and a trace per incarnation, model/otlp.ts), to POST as it is to an OpenTelemetry
 * collector's `/v1/traces`. The same trace `GET /pods/by-uid/{cluster}/{uid}/trace` answers;
 * spans still open end at the CLI's clock. Registered in cli/output.ts's format table for
 * history only, so `-o`, --help and "did you mean" know it.
 */
import type { PodRecord } from '../core/pod-record.ts';
import { otlpTraceOf } from '../model/otlp.ts';
import { addOutputFormat } from './output.ts';

/** The `-o` value that asks for it (history only). */
export const OTLP_OUTPUT = 'otlp';

/** The records as OTLP/JSON text: one document (a request), however many incarnations. */
export function otlpOutput(records: readonly PodRecord[], now: number): string {
  return JSON.stringify(otlpTraceOf(records, { now }), null, 2);
}

addOutputFormat(OTLP_OUTPUT, {
  describe: "an OpenTelemetry trace (OTLP/JSON), to POST to a collector's /v1/traces",
  commands: ['history'],
  render: (listing) => otlpOutput((listing.data ?? listing.rows) as PodRecord[], Date.now()),
});
